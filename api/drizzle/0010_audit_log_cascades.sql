-- The audit log stays append-only for every statement on it, but lets the foreign keys' own actions through:
-- deleting a tenant or a course removes its entries (ON DELETE CASCADE) and deleting a user forgets them as the
-- actor (ON DELETE SET NULL). Those run inside the referencing key's trigger (pg_trigger_depth() > 1); an UPDATE or
-- DELETE written against audit_log runs at depth 1 and is refused as before.
CREATE OR REPLACE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
