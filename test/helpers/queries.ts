/** Large legitimate queries, shared by the tests that run them and the test that measures their cost and depth. */

/** Every covered type of a chart with its references resolved (the clinical graph test). */
export const EVERYTHING = `{ me { charts { hospital { id }
  patient { communication { language { text } preferred } generalPractitioner { reference resource { ... on Practitioner { name { family prefix } qualification { code { coding { code } } } } } }
    managingOrganization { resource { ... on Organization { name } } } }
  observations(first: 100) { id status category { coding { code } } code { coding { system code } } effectiveDateTime valueQuantity { value unit }
    component { code { coding { code } } valueQuantity { value unit } referenceRange { high { value unit } } } interpretation { coding { code } }
    performer { resource { ... on Practitioner { id } } } encounter { resource { ... on Encounter { id class { code } } } } }
  conditions { id clinicalStatus { coding { code } } category { coding { code } } code { coding { code display } } onsetDateTime recordedDate }
  medicationRequests { id status intent authoredOn medicationCodeableConcept { coding { system code } } medicationReference { resource { ... on Medication { code { coding { system code display } } } } }
    requester { resource { ... on Practitioner { id } } } dosageInstruction { text route { coding { code } } doseAndRate { doseQuantity { value unit } } } }
  allergyIntolerances { id criticality category code { text } reaction { manifestation { text } severity } recorder { resource { ... on Practitioner { id } } } }
  immunizations { id vaccineCode { coding { system code } } occurrenceDateTime lotNumber protocolApplied { doseNumberPositiveInt series }
    performer { actor { resource { ... on Practitioner { id } } } } location { resource { ... on Location { name } } } }
  encounters { id status class { code } type { text } period { start end } participant { individual { resource { ... on Practitioner { id } } } }
    location { location { resource { ... on Location { name managingOrganization { resource { ... on Organization { name } } } } } } } serviceProvider { resource { ... on Organization { name } } } }
  procedures { id status code { text } performedDateTime performer { actor { resource { ... on Practitioner { id } } } } location { resource { ... on Location { name } } } }
  diagnosticReports { id status code { text } conclusion result { reference resource { ... on Observation { id code { text } valueQuantity { value unit } } } } }
  documentReferences { id status type { text } date content { attachment { contentType url size title } } author { resource { ... on Practitioner { id } } } }
} } }`;

/** The chart fields the fixtures test compares with the source JSON. */
const CODING = 'coding { system code display }';
const CC = `{ ${CODING} text }`;
const QTY = '{ value unit system code comparator }';
const REF = '{ reference type display }';
export const FIXTURE_SELECTION = `
  patient { id gender birthDate active name { use family given prefix } telecom { system value use } address { line city state postalCode country }
    identifier { system value } maritalStatus ${CC} communication { language ${CC} preferred } generalPractitioner ${REF} }
  observations(first: 100) { id status category ${CC} code ${CC} subject ${REF} encounter ${REF} effectiveDateTime issued
    valueQuantity ${QTY} valueCodeableConcept ${CC} valueString valueBoolean valueInteger valueDateTime valueRange { low ${QTY} high ${QTY} }
    interpretation ${CC} referenceRange { low ${QTY} high ${QTY} text } component { code ${CC} valueQuantity ${QTY} valueCodeableConcept ${CC} valueString } }
  conditions(first: 100) { id clinicalStatus ${CC} verificationStatus ${CC} category ${CC} severity ${CC} code ${CC} subject ${REF} onsetDateTime abatementDateTime recordedDate }
  medicationRequests(first: 100) { id status intent authoredOn medicationCodeableConcept ${CC} medicationReference ${REF} requester ${REF} subject ${REF}
    dosageInstruction { sequence text route ${CC} doseAndRate { doseQuantity ${QTY} } } }
  allergyIntolerances(first: 100) { id type category criticality code ${CC} patient ${REF} onsetDateTime recordedDate clinicalStatus ${CC} verificationStatus ${CC}
    reaction { substance ${CC} manifestation ${CC} description onset severity } }
  immunizations(first: 100) { id status vaccineCode ${CC} patient ${REF} occurrenceDateTime primarySource lotNumber expirationDate site ${CC} route ${CC}
    doseQuantity ${QTY} performer { function ${CC} actor ${REF} } protocolApplied { series doseNumberPositiveInt seriesDosesPositiveInt } }
  encounters(first: 100) { id status class { system code display } type ${CC} subject ${REF} period { start end } reasonCode ${CC} serviceProvider ${REF}
    participant { type ${CC} individual ${REF} } location { location ${REF} } }
  procedures(first: 100) { id status code ${CC} subject ${REF} performedDateTime performedPeriod { start end } reasonCode ${CC} bodySite ${CC} outcome ${CC} }
  diagnosticReports(first: 100) { id status category ${CC} code ${CC} subject ${REF} effectiveDateTime issued conclusion result ${REF} performer ${REF} }
  documentReferences(first: 100) { id status docStatus type ${CC} category ${CC} subject ${REF} date description content { attachment { contentType url size title creation } format { system code display } } }`;

