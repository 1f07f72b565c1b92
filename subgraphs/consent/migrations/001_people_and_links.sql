-- Portal accounts (FHIR Person) and their links to each hospital's Patient.
CREATE TABLE person (
  id          text PRIMARY KEY,
  -- `sub` of the person's account at the sign-on server.
  subject     text NOT NULL UNIQUE,
  -- The shared (national) identifier value hospitals record for this person.
  national_id text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE patient_link (
  person_id   text NOT NULL REFERENCES person (id) ON DELETE CASCADE,
  hospital_id text NOT NULL,
  -- The person's Patient id at the hospital; NULL records that the hospital was asked
  -- and does not know them (asked again after a while).
  patient_id  text,
  checked_at  timestamptz NOT NULL,
  PRIMARY KEY (person_id, hospital_id)
);
