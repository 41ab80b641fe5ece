"""The security headers of the site, the same from `library serve` and from any static host.

The site has no inline script or style and loads nothing from elsewhere; the policy says so to
the browser. The static search runs Pagefind's WebAssembly (hence 'wasm-unsafe-eval', which
allows compiling WebAssembly and nothing else) and fetches its index (connect-src 'self').
"""
from __future__ import annotations

__all__ = ["CONTENT_SECURITY_POLICY", "META_POLICY", "SECURITY_HEADERS", "headers_file"]

_DIRECTIVES = (
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
)
# frame-ancestors only works as a header: browsers ignore it in a <meta> policy.
CONTENT_SECURITY_POLICY = "; ".join([*_DIRECTIVES, "frame-ancestors 'none'"])
META_POLICY = "; ".join(_DIRECTIVES)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def headers_file() -> str:
    """The headers as a `_headers` file, which Netlify, Cloudflare Pages and the like read."""
    lines = ["/*", *(f"  {name}: {value}" for name, value in SECURITY_HEADERS.items())]
    return "\n".join(lines) + "\n"
