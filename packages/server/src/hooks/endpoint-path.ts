/**
 * Whether a URL path is crmsync's webhook endpoint of `crm` (`…/hooks/<crm>` or
 * `…/hooks/<crm>/<entity>`, behind any prefix a proxy adds). Import-free, so the CLI's light
 * `hooks` command can use it.
 */
export function isHookEndpoint(crm: string, pathname: string): boolean {
  return new RegExp(`/hooks/${crm}(/|$)`).test(pathname);
}
