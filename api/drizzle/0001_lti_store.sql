CREATE TABLE "lti_store" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lti_store_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"collection" text NOT NULL,
	"doc" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "lti_store_collection_idx" ON "lti_store" USING btree ("collection");--> statement-breakpoint
CREATE INDEX "lti_store_doc_gin" ON "lti_store" USING gin ("doc" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "lti_store_expires_at_idx" ON "lti_store" USING btree ("expires_at") WHERE "lti_store"."expires_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "lti_store_platform_url_client_uq" ON "lti_store" USING btree (("doc" -> 'platformUrl'),("doc" -> 'clientId')) WHERE "collection" = 'platform';--> statement-breakpoint
CREATE UNIQUE INDEX "lti_store_platform_kid_uq" ON "lti_store" USING btree (("doc" -> 'kid')) WHERE "collection" = 'platform';--> statement-breakpoint
CREATE UNIQUE INDEX "lti_store_publickey_kid_uq" ON "lti_store" USING btree (("doc" -> 'kid')) WHERE "collection" = 'publickey';--> statement-breakpoint
CREATE UNIQUE INDEX "lti_store_privatekey_kid_uq" ON "lti_store" USING btree (("doc" -> 'kid')) WHERE "collection" = 'privatekey';--> statement-breakpoint
CREATE UNIQUE INDEX "lti_store_platform_status_id_uq" ON "lti_store" USING btree (("doc" -> 'id')) WHERE "collection" = 'platformStatus';--> statement-breakpoint
CREATE UNIQUE INDEX "lti_store_accesstoken_uq" ON "lti_store" USING btree (("doc" -> 'platformUrl'),("doc" -> 'clientId'),("doc" -> 'scopes')) WHERE "collection" = 'accesstoken';--> statement-breakpoint
CREATE UNIQUE INDEX "lti_store_state_uq" ON "lti_store" USING btree (("doc" -> 'state')) WHERE "collection" = 'state';