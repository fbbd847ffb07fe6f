// Web globals lwsx uses that a Moddable build does not define: TextEncoder and
// TextDecoder are modules there ("text/encoder", "text/decoder", included by
// manifest.json), not globals, and src/ (core/api.ts, the HTTP role) makes
// encoders at module level. The device entry imports this module before
// anything of src/, so the globals exist when those modules are evaluated.
// Built by mcconfig only (the specifiers resolve in the Moddable build).

import SdkTextEncoder from "text/encoder";
import SdkTextDecoder from "text/decoder";

const g = globalThis as Record<string, unknown>;
g.TextEncoder ??= SdkTextEncoder;
g.TextDecoder ??= SdkTextDecoder;
