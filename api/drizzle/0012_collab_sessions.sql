CREATE TABLE "collab_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"owner_id" uuid,
	"base" "bytea" NOT NULL,
	"snapshot" "bytea" NOT NULL,
	"snapshot_seq" bigint DEFAULT 0 NOT NULL,
	"log_count" integer DEFAULT 0 NOT NULL,
	"log_bytes" integer DEFAULT 0 NOT NULL,
	"text_length" integer DEFAULT 0 NOT NULL,
	"edited_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collab_history" (
	"document_id" uuid NOT NULL,
	"from_seq" bigint NOT NULL,
	"to_seq" bigint NOT NULL,
	"tenant_id" uuid NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "collab_history_document_id_from_seq_pk" PRIMARY KEY("document_id","from_seq")
);
--> statement-breakpoint
CREATE TABLE "collab_members" (
	"session_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "collab_members_session_id_user_id_pk" PRIMARY KEY("session_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "collab_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"language" text NOT NULL,
	"starting_code" text DEFAULT '' NOT NULL,
	"visibility" text DEFAULT 'course' NOT NULL,
	"access_code" text,
	"max_collaborators" integer,
	"owner_id" uuid NOT NULL,
	"resource_link_id" uuid,
	"mode" text DEFAULT 'shared' NOT NULL,
	"locked" boolean DEFAULT false NOT NULL,
	"fork_base" "bytea",
	"forked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "collab_sessions_language_ck" CHECK ("collab_sessions"."language" in ('python', 'javascript', 'typescript', 'java', 'c', 'cpp', 'go', 'sql')),
	CONSTRAINT "collab_sessions_visibility_ck" CHECK ("collab_sessions"."visibility" in ('course', 'code')),
	CONSTRAINT "collab_sessions_mode_ck" CHECK ("collab_sessions"."mode" in ('shared', 'per_student')),
	CONSTRAINT "collab_sessions_code_ck" CHECK ("collab_sessions"."visibility" = 'course' or "collab_sessions"."access_code" is not null),
	CONSTRAINT "collab_sessions_max_ck" CHECK ("collab_sessions"."max_collaborators" is null or "collab_sessions"."max_collaborators" >= 1)
);
--> statement-breakpoint
CREATE TABLE "collab_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"name" text NOT NULL,
	"state" "bytea" NOT NULL,
	"text" text NOT NULL,
	"seq" bigint NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "collab_documents" ADD CONSTRAINT "collab_documents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_documents" ADD CONSTRAINT "collab_documents_session_id_collab_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."collab_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_documents" ADD CONSTRAINT "collab_documents_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_history" ADD CONSTRAINT "collab_history_document_id_collab_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."collab_documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_history" ADD CONSTRAINT "collab_history_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_members" ADD CONSTRAINT "collab_members_session_id_collab_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."collab_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_members" ADD CONSTRAINT "collab_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_members" ADD CONSTRAINT "collab_members_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_sessions" ADD CONSTRAINT "collab_sessions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_sessions" ADD CONSTRAINT "collab_sessions_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_sessions" ADD CONSTRAINT "collab_sessions_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_sessions" ADD CONSTRAINT "collab_sessions_resource_link_id_resource_links_id_fk" FOREIGN KEY ("resource_link_id") REFERENCES "public"."resource_links"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_versions" ADD CONSTRAINT "collab_versions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_versions" ADD CONSTRAINT "collab_versions_document_id_collab_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."collab_documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_versions" ADD CONSTRAINT "collab_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "collab_documents_copy_uq" ON "collab_documents" USING btree ("session_id","owner_id");--> statement-breakpoint
CREATE UNIQUE INDEX "collab_documents_shared_uq" ON "collab_documents" USING btree ("session_id") WHERE "collab_documents"."owner_id" is null;--> statement-breakpoint
CREATE INDEX "collab_members_user_idx" ON "collab_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "collab_sessions_course_idx" ON "collab_sessions" USING btree ("course_id","created_at");--> statement-breakpoint
CREATE INDEX "collab_sessions_link_idx" ON "collab_sessions" USING btree ("resource_link_id");--> statement-breakpoint
CREATE INDEX "collab_versions_document_idx" ON "collab_versions" USING btree ("document_id","created_at");