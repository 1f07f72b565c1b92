-- Consents people give (FHIR Consent with one permit provision), the access log
-- (FHIR AuditEvent), and secrets the service keeps (the pseudonym key).
CREATE TABLE consent (
  id             text PRIMARY KEY,
  person_id      text NOT NULL REFERENCES person (id) ON DELETE CASCADE,
  status         text NOT NULL CHECK (status IN ('active', 'inactive')),
  scope          text NOT NULL CHECK (scope IN ('patient-privacy', 'research')),
  -- `Practitioner/<id>` or `Organization/<id>`; NULL for research consents.
  actor          text,
  resource_types text[] NOT NULL,
  hospitals      text[] NOT NULL,
  period_start   date,
  period_end     date,
  date_time      timestamptz NOT NULL,
  CHECK ((scope = 'research') = (actor IS NULL)),
  CHECK (period_start IS NULL OR period_end IS NULL OR period_start <= period_end)
);

CREATE INDEX consent_by_person ON consent (person_id);

CREATE INDEX consent_by_actor ON consent (actor) WHERE status = 'active';

CREATE TABLE audit_event (
  id             text PRIMARY KEY,
  recorded       timestamptz NOT NULL,
  person_id      text NOT NULL REFERENCES person (id) ON DELETE CASCADE,
  -- Who asked: `Person/…`, `Practitioner/…` or `Device/<client id>` for services.
  agent          text NOT NULL,
  agent_subject  text NOT NULL,
  client_id      text,
  purpose        text NOT NULL CHECK (purpose IN ('patient-access', 'treatment', 'research')),
  -- FHIR AuditEvent.outcome: 0 success, 4 minor failure (refused).
  outcome        text NOT NULL CHECK (outcome IN ('0', '4')),
  outcome_desc   text,
  hospital_id    text,
  resource_types text[] NOT NULL
);

CREATE INDEX audit_event_by_person ON audit_event (person_id, recorded DESC);

CREATE TABLE service_secret (
  name  text PRIMARY KEY,
  value text NOT NULL
);
