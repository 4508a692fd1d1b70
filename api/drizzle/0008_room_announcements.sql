ALTER TABLE "rooms" ADD COLUMN "announcement_id" uuid;--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "announced_by" uuid;--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "announced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_announcement_id_messages_id_fk" FOREIGN KEY ("announcement_id") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_announced_by_users_id_fk" FOREIGN KEY ("announced_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;