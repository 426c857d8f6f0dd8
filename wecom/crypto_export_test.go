package wecom

import "io"

// SetCrypterRand replaces the source of the random prefix, so tests can
// reproduce byte-exact known-answer vectors (V3c). Not safe to call while c
// is in use.
func SetCrypterRand(c *Crypter, r io.Reader) { c.rand = r }
