/**
 * The lab's one cookie jar, kept like a browser: every answer's Set-Cookie lines go into the jar the
 * request named (`Max-Age=0` deletes), and a request sends its jar's cookies back.
 */
export interface CookieJars {
  /** The Cookie header for `jar`, with `tossFrom`'s cookies first (cookie tossing); undefined when empty. */
  header(jar: string | undefined, tossFrom?: string): string | undefined;
  store(jar: string, setCookies: readonly string[]): void;
}

export function createCookieJars(): CookieJars {
  const jars = new Map<string, Map<string, string>>();
  const line = (name: string | undefined): string | undefined => {
    const jar = name === undefined ? undefined : jars.get(name);
    if (!jar || jar.size === 0) return undefined;
    return [...jar.entries()].map(([cookie, value]) => `${cookie}=${value}`).join("; ");
  };
  return {
    header(jar, tossFrom) {
      const parts = [line(tossFrom), line(jar)].filter((part): part is string => part !== undefined);
      return parts.length > 0 ? parts.join("; ") : undefined;
    },
    store(name, setCookies) {
      let jar = jars.get(name);
      if (!jar) jars.set(name, (jar = new Map()));
      for (const setCookie of setCookies) {
        const [pair, ...attributes] = setCookie.split(";");
        const index = pair!.indexOf("=");
        if (index <= 0) continue;
        const cookie = pair!.slice(0, index).trim();
        const cleared = attributes.some((attribute) => /^\s*max-age\s*=\s*0\s*$/i.test(attribute));
        if (cleared) jar.delete(cookie);
        else jar.set(cookie, pair!.slice(index + 1).trim());
      }
    },
  };
}
