/**
 * How a github-token travels to git: HTTP basic auth as `x-access-token:<token>`, the form
 * actions/checkout sends in its extra header. Pure, so masking can name the encoded form too.
 */
export function gitTokenCredentials(token: string): string {
  return Buffer.from(`x-access-token:${token}`).toString('base64');
}
