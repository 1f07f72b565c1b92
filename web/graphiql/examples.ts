/** Saved operations shown as GraphiQL tabs: for practitioners, then for patients. */
export const examples: { query: string; variables?: string }[] = [
  {
    query: `# Practitioners: the people who shared records with you or your organization,
# with what each consent covers and the charts it opens.
query PeopleWhoSharedWithMe {
  sharedWithMe {
    id
    consents { provision { class period { start end } hospitals { name } } }
    charts {
      hospital { name }
      patient { name { family given } birthDate gender }
      observations(first: 5) { code { text } effectiveDateTime valueQuantity { value unit } }
      conditions { code { text } clinicalStatus { coding { code } } }
    }
  }
}
`,
  },
  {
    query: `# Practitioners: one person's charts (their id comes from sharedWithMe).
query PersonCharts($id: ID!) {
  person(id: $id) {
    charts { hospital { name } observations(first: 10) { code { text } effectiveDateTime valueQuantity { value unit } } }
  }
}
`,
    variables: '{ "id": "a1c3e0f2-5b7d-4e61-9a0b-2c4d6e8f0a11" }',
  },
  {
    query: `# Patients: your records from every hospital that knows you.
query MyCharts {
  me {
    charts {
      hospital { id name }
      patient { name { family given } birthDate }
      observations(first: 5) { code { coding { system code display } } effectiveDateTime valueQuantity { value unit } }
      conditions { code { text } onsetDateTime }
    }
  }
}
`,
  },
  {
    query: `# Patients: who you share with, and who looked.
query MyConsentsAndAccessLog {
  me {
    consents { id status scope provision { actor { reference } class hospitals { name } period { start end } } }
    accessLog(first: 20) { recorded outcome outcomeDesc agent { who { reference } } entity { hospital { name } resourceTypes } }
  }
}
`,
  },
  {
    query: `# Patients: share your observations at Brightwater with Dr. Chen.
mutation ShareWithDrChen {
  grantConsent(input: { actor: "Practitioner/pr-chen-0417", resourceTypes: ["Patient", "Observation"], hospitals: ["brightwater"] }) {
    id status provision { actor { reference } class hospitals { name } }
  }
}
`,
  },
];
