/**
 * Real codes (LOINC, SNOMED CT, RxNorm, CVX, UCUM) used by the synthetic record
 * generator, so the sandbox looks like what a hospital's server returns.
 */
export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const CVX = 'http://hl7.org/fhir/sid/cvx';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
export const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
export const CONDITION_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';

export interface MeasuredCode {
  readonly code: string;
  readonly display: string;
  readonly category: 'vital-signs' | 'laboratory';
  readonly unit: string;
  readonly ucum: string;
  /** Plausible range and decimals of generated values. */
  readonly min: number;
  readonly max: number;
  readonly decimals: number;
}

export const observationCodes: readonly MeasuredCode[] = [
  { code: '8867-4', display: 'Heart rate', category: 'vital-signs', unit: '/min', ucum: '/min', min: 52, max: 104, decimals: 0 },
  { code: '8480-6', display: 'Systolic blood pressure', category: 'vital-signs', unit: 'mm[Hg]', ucum: 'mm[Hg]', min: 102, max: 158, decimals: 0 },
  { code: '8462-4', display: 'Diastolic blood pressure', category: 'vital-signs', unit: 'mm[Hg]', ucum: 'mm[Hg]', min: 62, max: 98, decimals: 0 },
  { code: '29463-7', display: 'Body weight', category: 'vital-signs', unit: 'kg', ucum: 'kg', min: 48, max: 112, decimals: 1 },
  { code: '8310-5', display: 'Body temperature', category: 'vital-signs', unit: 'Cel', ucum: 'Cel', min: 36.1, max: 38.4, decimals: 1 },
  { code: '2339-0', display: 'Glucose [Mass/volume] in Blood', category: 'laboratory', unit: 'mg/dL', ucum: 'mg/dL', min: 68, max: 182, decimals: 0 },
  { code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', category: 'laboratory', unit: '%', ucum: '%', min: 4.6, max: 9.2, decimals: 1 },
  { code: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma', category: 'laboratory', unit: 'mg/dL', ucum: 'mg/dL', min: 142, max: 262, decimals: 0 },
  { code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood', category: 'laboratory', unit: 'g/dL', ucum: 'g/dL', min: 10.8, max: 17.2, decimals: 1 },
];

export interface SimpleCode {
  readonly code: string;
  readonly display: string;
}

export const conditionCodes: readonly SimpleCode[] = [
  { code: '44054006', display: 'Diabetes mellitus type 2' },
  { code: '38341003', display: 'Hypertensive disorder, systemic arterial' },
  { code: '195967001', display: 'Asthma' },
  { code: '55822004', display: 'Hyperlipidemia' },
  { code: '271737000', display: 'Anemia' },
  { code: '40055000', display: 'Chronic sinusitis' },
  { code: '35489007', display: 'Depressive disorder' },
  { code: '10509002', display: 'Acute bronchitis' },
];

export const medicationCodes: readonly SimpleCode[] = [
  { code: '860975', display: '24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet' },
  { code: '314076', display: 'lisinopril 10 MG Oral Tablet' },
  { code: '197361', display: 'amlodipine 5 MG Oral Tablet' },
  { code: '259255', display: 'atorvastatin 80 MG Oral Tablet' },
];

export const vaccineCodes: readonly SimpleCode[] = [
  { code: '140', display: 'Influenza, seasonal, injectable, preservative free' },
  { code: '208', display: 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose' },
  { code: '115', display: 'Tdap' },
  { code: '33', display: 'pneumococcal polysaccharide vaccine, 23 valent' },
];

export const givenNames = ['Ada', 'Bram', 'Cleo', 'Dario', 'Elin', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kaia', 'Luca', 'Mira', 'Nils', 'Oona', 'Pavel', 'Runa', 'Soren', 'Tilde', 'Umar', 'Vera', 'Wim', 'Yara', 'Zeno'];
export const familyNames = ['Ashgrove', 'Birchley', 'Corvane', 'Dunmore', 'Elsworth', 'Fairholt', 'Garrow', 'Hollins', 'Ivers', 'Jessop', 'Kettering', 'Lindqvist', 'Marsh', 'Northcott', 'Oakhurst', 'Pellow', 'Quarry', 'Rendell', 'Stavely', 'Thorne'];

export const procedureCodes: readonly SimpleCode[] = [
  { code: '430193006', display: 'Medication reconciliation (procedure)' },
  { code: '171207006', display: 'Depression screening (procedure)' },
  { code: '710824005', display: 'Assessment of health and social care needs (procedure)' },
];

export const allergyCodes: readonly (SimpleCode & { category: 'medication' | 'food' | 'environment' })[] = [
  { code: '91936005', display: 'Allergy to penicillin', category: 'medication' },
  { code: '91935009', display: 'Allergy to peanuts', category: 'food' },
  { code: '232347008', display: 'Dander (animal) allergy', category: 'environment' },
];

export const reactionCodes: readonly SimpleCode[] = [
  { code: '271807003', display: 'Eruption of skin (disorder)' },
  { code: '39579001', display: 'Anaphylaxis (disorder)' },
  { code: '49727002', display: 'Cough (finding)' },
];
