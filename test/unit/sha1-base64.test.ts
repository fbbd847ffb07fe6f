import * as A from "../lib/assert.js";
import { sha1 } from "../../src/core/sha1.js";
import { base64Decode, base64Encode } from "../../src/core/base64.js";
import {
  WS_GUID, acceptKey, isValidClientKey, isToken, parseProtocolList, parseExtensions, formatExtension,
  validatePmdOffer, validatePmdResponse, type ExtensionParam, type PmdParams,
} from "../../src/roles/ws/handshake.js";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const pattern = (n: number) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
};

describe("sha1", () => {
  it("gives the FIPS 180 vectors", () => {
    A.equal(hex(sha1(new Uint8Array(0))), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    A.equal(hex(sha1(ascii("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
    A.equal(hex(sha1(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    A.equal(
      hex(sha1(ascii("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"))),
      "a49b2446a02c645bf419f995b67091253a04a259",
    );
  });

  // expected values computed with node:crypto for pattern(n)
  const vectors: Array<[number, string]> = [
    [1, "5ba93c9db0cff93f52b521d7420e43f6eda2784f"],
    [55, "c14fc85e7dea8d19b9aa3026a1ae3701c3ec8b28"],
    [56, "b0ffb6351257ebfa01897b52e995c9cc5411876a"],
    [57, "65eeb849b2553b0b09bb7147ef4ad5146152636a"],
    [63, "0679db1bbcd13962c6f0c8dd85604a1b092837de"],
    [64, "ac7197d7596adad1f0b03720203b2c1077e3d2c7"],
    [65, "55f48dd0859ae90519776676f30138e466c9316b"],
    [119, "843343293bd76c83452a900c9071f22831823d70"],
    [120, "f24a724971c69fb626d08bc0cd627cdaa7a8a700"],
    [127, "45bdf4b9ebf575e62a033bd924ed9890e201ea85"],
    [128, "066ffd63a8a4ebb1b219ea7c69546bd32f9dc47f"],
    [1000, "3b9a66613ac82154bf2cf76c33aebb72c7b9514a"],
  ];
  it("is right on each side of the padding boundaries (55/56, 63/64, 119/120 bytes)", () => {
    for (const [n, want] of vectors) A.equal(hex(sha1(pattern(n))), want, `${n} bytes`);
  });

  it("hashes 64 KiB", () => {
    A.equal(hex(sha1(pattern(65536))), "fb43bac972062ae953d088e73496b24fcdb7e9bf");
  });

  it("reads a view at an offset without touching it", () => {
    const big = pattern(200);
    const copy = big.slice();
    A.equal(hex(sha1(big.subarray(10, 10 + 55))), hex(sha1(big.slice(10, 65))));
    A.deepEqual(big, copy);
  });
});

describe("base64", () => {
  const cases: Array<[string, string]> = [
    ["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foob", "Zm9vYg=="], ["fooba", "Zm9vYmE="], ["foobar", "Zm9vYmFy"],
  ];
  it("gives the RFC 4648 vectors both ways", () => {
    for (const [plain, b64] of cases) {
      A.equal(base64Encode(ascii(plain)), b64);
      A.deepEqual(base64Decode(b64), ascii(plain));
    }
  });

  it("uses + and / and round-trips every byte value and length", () => {
    A.equal(base64Encode(new Uint8Array([0xfb, 0xff, 0xbf])), "+/+/");
    const all = new Uint8Array(256).map((_, i) => i);
    for (let n = 0; n <= 256; n += 7) A.deepEqual(base64Decode(base64Encode(all.subarray(0, n))), all.slice(0, n));
    const big = pattern(10000);
    A.deepEqual(base64Decode(base64Encode(big)), big);
    A.equal(base64Encode(big).length, 4 * Math.ceil(10000 / 3));
  });

  it("refuses what is not canonical padded base64", () => {
    for (const bad of [
      "Zg", "Zg=", "Zm8", "Z===", "====", "Zg==Zg==", "Zm9v=", "Zm 9v", " Zm9v", "Zm9v\n", "Zm-v", "Zm_v", "Zm9\u00e9",
      "Zh==", // non-zero pad bits
      "Zm9=", // non-zero pad bits
      "Z=9v", "=m9v", "Zg=a", "Zm9vYmFy====",
    ]) A.equal(base64Decode(bad), null, JSON.stringify(bad));
  });
});

describe("handshake", () => {
  it("computes the RFC 6455 example accept key", () => {
    A.equal(WS_GUID, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    A.equal(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("uses the given hash function", () => {
    let seen = "";
    const fake = (d: Uint8Array) => {
      seen = String.fromCharCode(...d);
      return new Uint8Array(20);
    };
    A.equal(acceptKey("abc", fake), "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    A.equal(seen, "abc" + WS_GUID);
  });

  it("accepts as client key only the base64 of 16 bytes", () => {
    A.ok(isValidClientKey("dGhlIHNhbXBsZSBub25jZQ=="));
    A.ok(isValidClientKey(base64Encode(new Uint8Array(16).fill(255))));
    for (const bad of [
      "", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZR==", base64Encode(new Uint8Array(15)),
      base64Encode(new Uint8Array(17)), " dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ== ", "dGhlIHNhbXBsZSBub25j*Q==",
    ]) A.ok(!isValidClientKey(bad), JSON.stringify(bad));
  });

  it("knows tokens", () => {
    A.ok(isToken("chat"));
    A.ok(isToken("!#$%&'*+-.^_`|~09azAZ"));
    for (const bad of ["", "a b", "a,b", "a;b", 'a"', "a/b", "a=b", "a\u00e9", "a\tb", "a\u007f", "(a)", "a:b", "[a]", "{a}", "a?", "a@b", "a\\b"])
      A.ok(!isToken(bad), JSON.stringify(bad));
  });

  it("parses Sec-WebSocket-Protocol lists", () => {
    A.deepEqual(parseProtocolList("chat"), ["chat"]);
    A.deepEqual(parseProtocolList("chat, superchat"), ["chat", "superchat"]);
    A.deepEqual(parseProtocolList(" chat ,\tsuperchat\t"), ["chat", "superchat"]);
    A.deepEqual(parseProtocolList("a,,b, ,"), ["a", "b"]);
    A.deepEqual(parseProtocolList("v1.lws-mirror+x"), ["v1.lws-mirror+x"]);
    for (const bad of ["", " ", ",", ", ,", "a b", "a;b", "a, a", 'a, "b"', "a,b c", "caf\u00e9"])
      A.equal(parseProtocolList(bad), null, JSON.stringify(bad));
  });

  it("parses Sec-WebSocket-Extensions (RFC 6455 9.1)", () => {
    A.deepEqual(parseExtensions("permessage-deflate"), [{ name: "permessage-deflate", params: [] }]);
    A.deepEqual(parseExtensions("permessage-deflate; client_max_window_bits"), [
      { name: "permessage-deflate", params: [{ name: "client_max_window_bits", value: true }] },
    ]);
    A.deepEqual(parseExtensions('foo;a=1 ; b = "2";c,bar ,, baz;x="y\\z"'), [
      { name: "foo", params: [{ name: "a", value: "1" }, { name: "b", value: "2" }, { name: "c", value: true }] },
      { name: "bar", params: [] },
      { name: "baz", params: [{ name: "x", value: "yz" }] },
    ]);
    A.deepEqual(parseExtensions("permessage-deflate; server_max_window_bits=10, permessage-deflate"), [
      { name: "permessage-deflate", params: [{ name: "server_max_window_bits", value: "10" }] },
      { name: "permessage-deflate", params: [] },
    ]);
    A.deepEqual(parseExtensions("a; p; p"), [{ name: "a", params: [{ name: "p", value: true }, { name: "p", value: true }] }]);
    A.deepEqual(parseExtensions(" a ,"), [{ name: "a", params: [] }]);
  });

  it("refuses malformed Sec-WebSocket-Extensions", () => {
    for (const bad of [
      "", " ", ",", ";", "a;", "a;;b", "a; =1", "a; b=", "a; b=\"\"", "a; b=\"1 2\"", "a; b=\"1", "a; b=\"1\\", "a; b=1 2",
      "a b", "a=1", "\"a\"", "a; b=,", "a; b==1", "a; b=\"x,y\"", "a; b=\"x;y\"", "a,; b", "caf\u00e9", "a; b=\u00e9", "a;b=1;",
      "a; b=(1)", "a/b",
    ]) A.equal(parseExtensions(bad), null, JSON.stringify(bad));
  });

  it("formats an extension", () => {
    const ext = parseExtensions("permessage-deflate;client_max_window_bits;  server_max_window_bits=\"12\"")![0]!;
    A.equal(formatExtension(ext), "permessage-deflate; client_max_window_bits; server_max_window_bits=12");
    A.deepEqual(parseExtensions(formatExtension(ext)), [ext]);
  });

  const params = (s: string): ExtensionParam[] => parseExtensions("permessage-deflate" + s)![0]!.params;
  const none: PmdParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: undefined, clientMaxWindowBits: undefined };

  it("validates permessage-deflate offers", () => {
    A.deepEqual(validatePmdOffer([]), { ok: true, params: none });
    A.deepEqual(validatePmdOffer(params("; client_max_window_bits")), { ok: true, params: { ...none, clientMaxWindowBits: true } });
    A.deepEqual(
      validatePmdOffer(params("; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=15")),
      { ok: true, params: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 8, clientMaxWindowBits: 15 } },
    );
    A.deepEqual(validatePmdOffer(params('; server_max_window_bits="9"')), { ok: true, params: { ...none, serverMaxWindowBits: 9 } });
    for (let bits = 8; bits <= 15; bits++) {
      const r = validatePmdOffer(params(`; server_max_window_bits=${bits}; client_max_window_bits=${bits}`));
      A.ok(r.ok && r.params.serverMaxWindowBits === bits && r.params.clientMaxWindowBits === bits, `bits ${bits}`);
    }
    for (const bad of [
      "; server_max_window_bits", "; server_max_window_bits=7", "; server_max_window_bits=16", "; server_max_window_bits=08",
      "; server_max_window_bits=010", "; server_max_window_bits=1a", "; server_max_window_bits=-9", "; client_max_window_bits=7",
      "; client_max_window_bits=16", "; client_max_window_bits=0x9", "; server_no_context_takeover=1", '; client_no_context_takeover="x"',
      "; server_no_context_takeover; server_no_context_takeover", "; client_max_window_bits; client_max_window_bits=9",
      "; server_max_window_bits=9; server_max_window_bits=9", "; x", "; Server_no_context_takeover", "; max_window_bits=9",
    ]) {
      const r = validatePmdOffer(params(bad));
      A.ok(!r.ok && r.reason.length > 0, bad);
    }
  });

  it("validates permessage-deflate responses, alone and against the offer", () => {
    A.deepEqual(validatePmdResponse(params("; client_max_window_bits=10")), { ok: true, params: { ...none, clientMaxWindowBits: 10 } });
    A.ok(!validatePmdResponse(params("; client_max_window_bits")).ok, "no value in a response");
    A.ok(!validatePmdResponse(params("; server_max_window_bits=20")).ok);
    const offer = (s: string) => (validatePmdOffer(params(s)) as { params: PmdParams }).params;
    A.ok(validatePmdResponse(params("; client_max_window_bits=10"), offer("; client_max_window_bits")).ok);
    A.ok(!validatePmdResponse(params("; client_max_window_bits=10"), offer("")).ok, "not offered");
    A.ok(validatePmdResponse(params("; server_max_window_bits=10"), offer("; server_max_window_bits=12")).ok);
    A.ok(validatePmdResponse(params("; server_max_window_bits=12"), offer("; server_max_window_bits=12")).ok);
    A.ok(!validatePmdResponse(params("; server_max_window_bits=13"), offer("; server_max_window_bits=12")).ok, "above the offer");
    A.ok(!validatePmdResponse(params(""), offer("; server_max_window_bits=12")).ok, "requested, not granted");
    A.ok(validatePmdResponse(params("; server_max_window_bits=12"), offer("")).ok, "a server may limit its window unasked");
    A.ok(!validatePmdResponse(params(""), offer("; server_no_context_takeover")).ok);
    A.ok(validatePmdResponse(params("; server_no_context_takeover"), offer("; server_no_context_takeover")).ok);
    A.ok(validatePmdResponse(params("; client_no_context_takeover"), offer("")).ok, "a server may ask it unasked");
    A.ok(!validatePmdResponse(params("; foo"), offer("")).ok);
  });
});
