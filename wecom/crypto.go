package wecom

// Callback crypto (WXBizMsgCrypt), as described in DOC/91144 and implemented
// by the official samples. See /work/shared/wecom-protocol.md §1.
//
// Differences from the official Go sample, on purpose:
//   - the random prefix comes from crypto/rand, not math/rand;
//   - signatures are compared in constant time, and before anything is
//     decrypted, so a caller without the token never reaches the padding
//     or length checks (no padding oracle);
//   - PKCS#7 padding and the length field are fully checked, so no input
//     can make Decrypt panic (the sample slices out of range);
//   - every error is returned as error, never as a typed-nil pointer.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// CryptoError is a callback crypto failure. The sentinels below carry the
// error codes of the official sample library, so logs can be matched
// against WeCom's documentation. Compare with errors.Is; details are added by
// wrapping, e.g. fmt.Errorf("%w: ...", ErrBadKey).
type CryptoError struct {
	Code int
	Msg  string
}

func (e *CryptoError) Error() string {
	return fmt.Sprintf("wecom crypto: %s (%d)", e.Msg, e.Code)
}

// Crypto errors.
var (
	ErrInvalidSignature = &CryptoError{-40001, "signature mismatch"}
	ErrMalformed        = &CryptoError{-40002, "malformed body"} // bad XML envelope, missing Encrypt
	ErrBadKey           = &CryptoError{-40004, "invalid EncodingAESKey"}
	ErrReceiverMismatch = &CryptoError{-40005, "receiveid mismatch"}
	ErrDecrypt          = &CryptoError{-40007, "cannot decrypt"} // ciphertext empty, too short or not whole AES blocks
	ErrBadPadding       = &CryptoError{-40008, "bad padding"}    // illegal padding or length field after decryption
	ErrBase64           = &CryptoError{-40010, "bad base64"}
)

const (
	encodingAESKeyLen = 43
	maxTokenLen       = 32
	// padBlock is the PKCS#7 block size WeCom uses. It is 32 (the AES-256
	// key size), not the AES block size of 16.
	padBlock = 32
	// prefixLen is the random prefix; lenFieldLen the big-endian msg length.
	prefixLen   = 16
	lenFieldLen = 4
	headerLen   = prefixLen + lenFieldLen
	// minCiphertext: the plaintext has at least the 20-byte header, and is
	// padded to a multiple of 32.
	minCiphertext = padBlock
	sigHexLen     = 2 * sha1.Size
)

// Crypter signs, verifies, encrypts and decrypts callback messages for one
// app (one Token, EncodingAESKey and ReceiveId). Create it with NewCrypter;
// the zero value is not usable. It is safe for concurrent use.
type Crypter struct {
	token      string
	key        [32]byte
	block      cipher.Block // AES-256 with key; immutable, safe for concurrent use
	receiverID string
	rand       io.Reader // source of the 16-byte random prefix
}

// NewCrypter returns a Crypter for the callback settings of an app.
//
// token must be 1–32 ASCII letters or digits, as WeCom's console requires.
// encodingAESKey must be exactly 43 ASCII letters or digits; it is the
// base64 (without the trailing "=") of the 32-byte AES key. Key errors wrap
// ErrBadKey; token errors are plain errors (there is no sample-library code
// for them).
//
// receiverID is the ReceiveId every decrypted message must carry: the corpid
// for a self-built app, the suiteid for third-party suite callbacks, and ""
// for some third-party apps. It is always compared exactly (so "" accepts
// only messages whose ReceiveId is empty).
func NewCrypter(token, encodingAESKey, receiverID string) (*Crypter, error) {
	if n := utf8.RuneCountInString(token); n == 0 || n > maxTokenLen {
		return nil, fmt.Errorf("wecom crypto: token must be 1-%d characters, got %d", maxTokenLen, n)
	}
	if i := indexNotAlnum(token); i >= 0 {
		return nil, fmt.Errorf("wecom crypto: token may contain only A-Z, a-z and 0-9; invalid character at position %d", i+1)
	}
	// Never echo the key itself in errors: it is a secret.
	if n := utf8.RuneCountInString(encodingAESKey); n != encodingAESKeyLen {
		hint := ""
		if n == encodingAESKeyLen+1 && strings.HasSuffix(encodingAESKey, "=") {
			hint = ` (drop the trailing "=")`
		}
		return nil, fmt.Errorf("%w: EncodingAESKey must be %d characters, got %d%s", ErrBadKey, encodingAESKeyLen, n, hint)
	}
	if i := indexNotAlnum(encodingAESKey); i >= 0 {
		return nil, fmt.Errorf("%w: EncodingAESKey may contain only A-Z, a-z and 0-9; invalid character at position %d", ErrBadKey, i+1)
	}
	// StdEncoding is deliberately not Strict: 43 characters carry 258 bits,
	// and WeCom's keys may have non-zero bits in the 2 unused ones (test
	// vector V3's key does).
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		// Unreachable after the checks above; kept as a guard.
		return nil, fmt.Errorf("%w: EncodingAESKey does not decode to 32 bytes", ErrBadKey)
	}
	c := &Crypter{token: token, receiverID: receiverID, rand: rand.Reader}
	copy(c.key[:], key)
	c.block, err = aes.NewCipher(c.key[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	return c, nil
}

// indexNotAlnum returns the byte index of the first byte of s that is not an
// ASCII letter or digit, or -1.
func indexNotAlnum(s string) int {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !('0' <= b && b <= '9' || 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z') {
			return i
		}
	}
	return -1
}

// ReceiverID returns the ReceiveId this Crypter expects and writes.
func (c *Crypter) ReceiverID() string { return c.receiverID }

// Signature returns the msg_signature for a message:
// hex(sha1(concat(sort(token, timestamp, nonce, encrypt)))).
func (c *Crypter) Signature(timestamp, nonce, encrypt string) string {
	var sig [sigHexLen]byte
	c.sign(&sig, timestamp, nonce, encrypt)
	return string(sig[:])
}

// sign writes the lower-case hex signature into dst without heap allocations
// for typical message sizes.
func (c *Crypter) sign(dst *[sigHexLen]byte, timestamp, nonce, encrypt string) {
	parts := [4]string{c.token, timestamp, nonce, encrypt}
	// Insertion sort: four elements, byte-wise order (what the samples' sort
	// does for ASCII, and UTF-8 byte order equals code point order).
	for i := 1; i < len(parts); i++ {
		for j := i; j > 0 && parts[j] < parts[j-1]; j-- {
			parts[j], parts[j-1] = parts[j-1], parts[j]
		}
	}
	var stack [1024]byte
	buf := stack[:0]
	for _, p := range parts {
		buf = append(buf, p...)
	}
	sum := sha1.Sum(buf)
	hex.Encode(dst[:], sum[:])
}

// verify checks msgSignature in constant time.
func (c *Crypter) verify(msgSignature, timestamp, nonce, encrypt string) error {
	var want, got [sigHexLen]byte
	c.sign(&want, timestamp, nonce, encrypt)
	// The length of a signature is public; only its content must not leak
	// through timing. Copying into a fixed array avoids an allocation.
	if len(msgSignature) != sigHexLen {
		return ErrInvalidSignature
	}
	copy(got[:], msgSignature)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return ErrInvalidSignature
	}
	return nil
}

// VerifyURL answers WeCom's GET URL verification. The parameters must
// already be URL-decoded (echostr contains "+", "/" and "="). It checks the
// signature over echostr, decrypts it and checks the ReceiveId, and returns
// the plaintext, which the handler must write back as-is (no quotes, no
// trailing newline).
func (c *Crypter) VerifyURL(msgSignature, timestamp, nonce, echostr string) ([]byte, error) {
	return c.Decrypt(msgSignature, timestamp, nonce, echostr)
}

// Decrypt checks msgSignature over encrypt (in constant time, before
// decrypting anything), decrypts encrypt, checks the padding, the length
// field and the ReceiveId, and returns the message.
func (c *Crypter) Decrypt(msgSignature, timestamp, nonce, encrypt string) ([]byte, error) {
	if err := c.verify(msgSignature, timestamp, nonce, encrypt); err != nil {
		return nil, err
	}
	buf := make([]byte, base64.StdEncoding.DecodedLen(len(encrypt)))
	n, err := base64.StdEncoding.Decode(buf, []byte(encrypt))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBase64, err)
	}
	ct := buf[:n]
	if len(ct) < minCiphertext || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: ciphertext is %d bytes, want a multiple of %d and at least %d", ErrDecrypt, len(ct), aes.BlockSize, minCiphertext)
	}
	// Decrypt in place; the returned message aliases buf.
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(ct, ct)
	return c.open(ct)
}

// open unpads and splits a decrypted plaintext, checking every field.
func (c *Crypter) open(p []byte) ([]byte, error) {
	// Strict PKCS#7 with block 32: the pad value is 1..32 and every pad
	// byte must equal it. This need not be constant time: the signature
	// has already authenticated the ciphertext.
	pad := int(p[len(p)-1])
	if pad < 1 || pad > padBlock || pad > len(p) {
		return nil, fmt.Errorf("%w: pad value %d", ErrBadPadding, pad)
	}
	for _, b := range p[len(p)-pad:] {
		if int(b) != pad {
			return nil, fmt.Errorf("%w: inconsistent pad bytes", ErrBadPadding)
		}
	}
	p = p[:len(p)-pad]
	if len(p) < headerLen {
		return nil, fmt.Errorf("%w: plaintext is %d bytes, shorter than its %d-byte header", ErrBadPadding, len(p), headerLen)
	}
	msgLen := binary.BigEndian.Uint32(p[prefixLen:headerLen])
	if uint64(msgLen) > uint64(len(p)-headerLen) {
		return nil, fmt.Errorf("%w: length field %d exceeds the %d bytes left", ErrBadPadding, msgLen, len(p)-headerLen)
	}
	end := headerLen + int(msgLen)
	if string(p[end:]) != c.receiverID {
		return nil, ErrReceiverMismatch
	}
	// Cap the slice so appending to the message cannot overwrite anything.
	return p[headerLen:end:end], nil
}

// Envelope is the outer XML body of a callback POST:
// <xml><ToUserName/><Encrypt/><AgentID/></xml>. Only Encrypt is signed;
// ToUserName and AgentID are unauthenticated hints.
type Envelope struct {
	ToUserName string `xml:"ToUserName"`
	Encrypt    string `xml:"Encrypt"`
	AgentID    string `xml:"AgentID"`
}

// envelopeXML adds the root element check without putting an XMLName field
// into the public Envelope.
type envelopeXML struct {
	XMLName xml.Name `xml:"xml"`
	Envelope
}

// ParseEnvelope parses the outer XML body of a callback POST. A body that is
// not well-formed, whose root is not <xml>, or whose Encrypt is missing or
// empty is rejected with ErrMalformed. The Encrypt text is returned exactly
// as sent (not trimmed): the signature covers it as is.
func ParseEnvelope(body []byte) (*Envelope, error) {
	if e, ok := parseEnvelopeFast(body); ok {
		return e, nil
	}
	return parseEnvelopeXML(body)
}

// parseEnvelopeFast reads WeCom's envelope through scanFlat, reporting false when the body is outside the
// subset it reads exactly as encoding/xml does.
func parseEnvelopeFast(body []byte) (*Envelope, bool) {
	var e Envelope
	ok := scanFlat(body, func(name, value []byte) {
		switch string(name) {
		case "ToUserName":
			e.ToUserName = string(value)
		case "Encrypt":
			e.Encrypt = string(value)
		case "AgentID":
			e.AgentID = string(value)
		}
	})
	if !ok || e.Encrypt == "" {
		return nil, false
	}
	return &e, true
}

func parseEnvelopeXML(body []byte) (*Envelope, error) {
	var e envelopeXML
	if err := xml.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if e.Encrypt == "" {
		return nil, fmt.Errorf("%w: missing or empty <Encrypt>", ErrMalformed)
	}
	return &e.Envelope, nil
}

// DecryptMessage parses a callback POST body and decrypts its Encrypt
// element (see Decrypt). It does not compare ToUserName with the
// ReceiveId: that field is not signed, the encrypted ReceiveId is checked
// instead. On error it returns nil for both the envelope and the message.
func (c *Crypter) DecryptMessage(msgSignature, timestamp, nonce string, body []byte) (*Envelope, []byte, error) {
	env, err := ParseEnvelope(body)
	if err != nil {
		return nil, nil, err
	}
	msg, err := c.Decrypt(msgSignature, timestamp, nonce, env.Encrypt)
	if err != nil {
		return nil, nil, err
	}
	return env, msg, nil
}

// Encrypt returns base64(AES-256-CBC(random16 ‖ be32(len(msg)) ‖ msg ‖
// ReceiveId)), padded with PKCS#7 to a multiple of 32 bytes.
func (c *Crypter) Encrypt(msg []byte) (string, error) {
	if uint64(len(msg)) > math.MaxUint32 {
		return "", fmt.Errorf("wecom crypto: message of %d bytes does not fit the 32-bit length field", len(msg))
	}
	n := headerLen + len(msg) + len(c.receiverID)
	pad := padBlock - n%padBlock
	p := make([]byte, n+pad)
	if _, err := io.ReadFull(c.rand, p[:prefixLen]); err != nil {
		return "", fmt.Errorf("wecom crypto: read random prefix: %w", err)
	}
	binary.BigEndian.PutUint32(p[prefixLen:headerLen], uint32(len(msg)))
	copy(p[headerLen:], msg)
	copy(p[headerLen+len(msg):], c.receiverID)
	for i := n; i < len(p); i++ {
		p[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(p, p)
	return base64.StdEncoding.EncodeToString(p), nil
}

// EncryptReply encrypts msg and wraps it in the passive-reply envelope,
// byte for byte the official Python template:
//
//	<xml>
//	<Encrypt><![CDATA[…]]></Encrypt>
//	<MsgSignature><![CDATA[…]]></MsgSignature>
//	<TimeStamp>…</TimeStamp>
//	<Nonce><![CDATA[…]]></Nonce>
//	</xml>
//
// (no trailing newline). Reusing the request's timestamp and nonce is fine.
//
// timestamp and nonce are written unescaped, so they are validated instead
// of escaped: timestamp must be decimal digits (it is not in CDATA) and
// nonce non-empty printable ASCII without "]]>". Anything else is an error.
func (c *Crypter) EncryptReply(msg []byte, timestamp, nonce string) ([]byte, error) {
	if !isDigits(timestamp) {
		return nil, fmt.Errorf("wecom crypto: reply timestamp %q must be decimal digits", timestamp)
	}
	if nonce == "" {
		return nil, errors.New("wecom crypto: reply nonce is empty")
	}
	if err := checkCDATA("reply nonce", nonce); err != nil {
		return nil, err
	}
	enc, err := c.Encrypt(msg)
	if err != nil {
		return nil, err
	}
	var sig [sigHexLen]byte
	c.sign(&sig, timestamp, nonce, enc)
	// base64 and hex never contain "]]>", so they are safe in CDATA.
	var b bytes.Buffer
	b.Grow(len(enc) + len(timestamp) + len(nonce) + 160)
	b.WriteString("<xml>\n<Encrypt><![CDATA[")
	b.WriteString(enc)
	b.WriteString("]]></Encrypt>\n<MsgSignature><![CDATA[")
	b.Write(sig[:])
	b.WriteString("]]></MsgSignature>\n<TimeStamp>")
	b.WriteString(timestamp)
	b.WriteString("</TimeStamp>\n<Nonce><![CDATA[")
	b.WriteString(nonce)
	b.WriteString("]]></Nonce>\n</xml>")
	return b.Bytes(), nil
}

// EncryptCallback builds what WeCom POSTs to a callback URL: the body
//
//	<xml><ToUserName><![CDATA[receiverID]]></ToUserName><Encrypt><![CDATA[…]]></Encrypt><AgentID><![CDATA[agentID]]></AgentID></xml>
//
// and the msg_signature for (timestamp, nonce), which go into the query
// string (the caller URL-encodes them). agentID "" leaves AgentID empty.
// It is meant for emulators and tests.
//
// The ReceiveId and agentID go into CDATA unescaped, so they must be
// printable ASCII without "]]>"; anything else is an error.
func (c *Crypter) EncryptCallback(msg []byte, timestamp, nonce, agentID string) (body []byte, msgSignature string, err error) {
	if err := checkCDATA("ReceiveId", c.receiverID); err != nil {
		return nil, "", err
	}
	if err := checkCDATA("AgentID", agentID); err != nil {
		return nil, "", err
	}
	enc, err := c.Encrypt(msg)
	if err != nil {
		return nil, "", err
	}
	var b bytes.Buffer
	b.Grow(len(enc) + len(c.receiverID) + len(agentID) + 120)
	b.WriteString("<xml><ToUserName><![CDATA[")
	b.WriteString(c.receiverID)
	b.WriteString("]]></ToUserName><Encrypt><![CDATA[")
	b.WriteString(enc)
	b.WriteString("]]></Encrypt><AgentID><![CDATA[")
	b.WriteString(agentID)
	b.WriteString("]]></AgentID></xml>")
	return b.Bytes(), c.Signature(timestamp, nonce, enc), nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkCDATA reports whether s can be written inside <![CDATA[ ]]> as is:
// printable ASCII (0x20-0x7E; control characters are not even legal XML),
// and no "]]>", which would end the section early.
func checkCDATA(what, s string) error {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return fmt.Errorf("wecom crypto: %s %q has a byte outside printable ASCII at position %d", what, s, i+1)
		}
	}
	if strings.Contains(s, "]]>") {
		return fmt.Errorf("wecom crypto: %s %q contains \"]]>\"", what, s)
	}
	return nil
}
