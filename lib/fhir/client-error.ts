/** A FHIR server failed or answered something that is not usable FHIR. */
export class FhirError extends Error {
  override name = 'FhirError';
  constructor(
    message: string,
    /** HTTP status, or 0 when there was no HTTP answer. */
    readonly status: number,
    readonly timeout = false,
    /** `issue[0].code` of an OperationOutcome, when the server sent one. */
    readonly issueCode?: string,
  ) {
    super(message);
  }
}
