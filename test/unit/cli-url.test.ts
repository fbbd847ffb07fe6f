// The command line's URL parser (cli/url.ts): what `lwsx get` and `lwsx ws`
// hand to clientConnect(), and the errors for URLs they cannot use.
import * as A from "../lib/assert.js";
import { parseUrl, isIpv6, UrlError, type Scheme } from "../../cli/url.js";

const HTTP: Scheme[] = ["http", "https"];
const WS: Scheme[] = ["ws", "wss"];

function fails(url: string, match: RegExp, schemes: Scheme[] = HTTP): void {
  let err: unknown = null;
  try {
    parseUrl(url, schemes);
  } catch (e) {
    err = e;
  }
  A.ok(err instanceof UrlError, `'${url}' should fail`);
  A.ok(match.test((err as Error).message), `'${url}': message '${(err as Error).message}' should match ${match}`);
}

describe("cli URL parser", () => {
  it("splits scheme, host, port, path and query; the port defaults by scheme", () => {
    const u = parseUrl("http://Example.COM:8080/a/b?x=1&y=2#frag");
    A.deepEqual(u, {
      scheme: "http",
      tls: false,
      address: "example.com",
      port: 8080,
      path: "/a/b?x=1&y=2",
      hostHeader: "example.com:8080",
      href: "http://example.com:8080/a/b?x=1&y=2",
    });
    A.equal(parseUrl("http://h").port, 80);
    A.equal(parseUrl("http://h").path, "/");
    A.equal(parseUrl("http://h?q").path, "/?q");
    A.equal(parseUrl("http://h#f").path, "/");
    A.equal(parseUrl("http://h:80/").hostHeader, "h", "the default port is left out of Host");
    A.equal(parseUrl("http://h:/x").port, 80, "an empty port is the default");
    A.equal(parseUrl("HTTP://h/").scheme, "http");
    A.equal(parseUrl("  http://h/x  ").path, "/x", "surrounding blanks are trimmed");
    A.equal(parseUrl("ws://h/", WS).port, 80);
    A.equal(parseUrl("wss://h/", WS).port, 443);
  });

  it("marks https and wss as needing TLS", () => {
    const u = parseUrl("https://h/x");
    A.ok(u.tls);
    A.equal(u.port, 443);
    A.ok(parseUrl("wss://h:9000/", WS).tls);
    A.ok(!parseUrl("ws://h/", WS).tls);
  });

  it("takes IPv4 and bracketed IPv6 literals; Host keeps the brackets, the address has none", () => {
    const v4 = parseUrl("http://127.0.0.1:7681/");
    A.equal(v4.address, "127.0.0.1");
    A.equal(v4.hostHeader, "127.0.0.1:7681");
    const v6 = parseUrl("http://[::1]:7681/status");
    A.equal(v6.address, "::1");
    A.equal(v6.port, 7681);
    A.equal(v6.hostHeader, "[::1]:7681");
    A.equal(v6.path, "/status");
    A.equal(parseUrl("ws://[2001:DB8::1]/", WS).hostHeader, "[2001:db8::1]");
    A.equal(parseUrl("http://[::ffff:192.0.2.1]/").address, "::ffff:192.0.2.1");
    A.equal(parseUrl("http://[::1]").path, "/");
  });

  it("assumes the command's first scheme when the URL has none", () => {
    const u = parseUrl("localhost:8080/x");
    A.equal(u.scheme, "http");
    A.equal(u.address, "localhost");
    A.equal(u.port, 8080);
    A.equal(parseUrl("127.0.0.1/x").port, 80);
    A.equal(parseUrl("h:9/", WS).scheme, "ws");
  });

  it("percent-encodes spaces and non-ASCII in the path, and a lone %", () => {
    A.equal(parseUrl("http://h/a b").path, "/a%20b");
    A.equal(parseUrl("http://h/é?q=ü").path, "/%C3%A9?q=%C3%BC");
    A.equal(parseUrl("http://h/%41%zz").path, "/%41%25zz");
    A.equal(parseUrl("http://h/€").path, "/%E2%82%AC");
    A.equal(parseUrl("http://h/😀").path, "/%F0%9F%98%80");
  });

  it("refuses what it cannot use, saying why", () => {
    fails("", /empty/);
    fails("ftp://h/", /unknown scheme 'ftp:\/\/'.*http:\/\/ or https:\/\//);
    fails("ws://h/", /does not take 'ws:\/\/'/);
    fails("http://h/", /does not take 'http:\/\/'.*ws:\/\//, WS);
    fails("mailto:me@h", /not a URL this command takes/);
    fails("http:/h", /not a URL this command takes/);
    fails("http://", /no host/);
    fails("http:///path", /no host/);
    fails("http://:80/", /no host/);
    fails("http://user:pw@h/", /user names and passwords/);
    fails("http://h:99999/", /port 99999 is out of range/);
    fails("http://h:0/", /port 0 is out of range/);
    fails("http://h:8o/", /port '8o' is not a number/);
    fails("http://::1/", /more than one ':'.*brackets/);
    fails("http://[::1/", /no closing '\]'/);
    fails("http://[::g]/", /'::g' is not an IPv6 address/);
    fails("http://[fe80::1%25eth0]/", /zone/);
    fails("http://[::1]x/", /unexpected 'x'/);
    fails("http://256.1.1.1/", /not an IPv4 address/);
    fails("http://1.2.3/", /not an IPv4 address/);
    fails("http://ex ample.com/", /not a valid host name/);
    fails("http://bücher.example/", /xn--/);
    fails("http://-bad.example/", /not a valid host name/);
    fails("http://a..b/", /not a valid host name/);
    fails("http://h/a\u0001b", /control character/);
    fails("http://h/a\nb", /control character/);
  });

  it("checks IPv6 text forms", () => {
    for (const ok of ["::", "::1", "1::", "2001:db8::1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "FE80::A"]) A.ok(isIpv6(ok), ok);
    for (const bad of ["", ":", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "1:2:3:4:5:6:7", "::1.2.3", ":::1", "g::1", "1:2:3:4:5:6:7:1.2.3.4"]) A.ok(!isIpv6(bad), bad);
  });
});
