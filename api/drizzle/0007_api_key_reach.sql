ALTER TABLE "api_keys" ADD COLUMN "course_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "tenant_wide" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Keys created before keys had a reach reached the whole tenant. They keep only the courses their creator is
-- staff of now (and still lose a course when the creator stops being staff of it); none becomes tenant-wide.
UPDATE "api_keys" AS k SET "course_ids" = COALESCE((
  SELECT array_agg(m."course_id" ORDER BY m."course_id") FROM "memberships" AS m
  WHERE m."user_id" = k."created_by" AND m."tenant_id" = k."tenant_id" AND m."status" = 'active'
    AND m."roles" && ARRAY['instructor', 'teaching_assistant', 'administrator']::text[]
), '{}'::uuid[]) WHERE k."created_by" IS NOT NULL;
