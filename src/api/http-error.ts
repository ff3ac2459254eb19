/** An error the API renders as JSON `{ error: { code, message, field? } }` with the given status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string, field?: string) =>
  new HttpError(400, "bad_request", message, field);
