ALTER TABLE "resource_links" ADD COLUMN "placement" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "locale" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "legacy_user_id" text;