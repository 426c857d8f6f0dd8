package wecom_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/wecombot/wecombot/wecom"
)

// App credentials of the test vectors in wecom-protocol.md §1.1.
type cryptoCreds struct{ token, key, receiverID string }

var (
	credsGO = cryptoCreds{"QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"}                           // official Go sample
	credsPY = cryptoCreds{"hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo", "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt", "ww1436e0e65a779aee"} // official Python sample
	credsWP = cryptoCreds{"123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a"}                           // wechatpy tests
)

func newCrypter(tb testing.TB, c cryptoCreds) *wecom.Crypter {
	tb.Helper()
	cr, err := wecom.NewCrypter(c.token, c.key, c.receiverID)
	if err != nil {
		tb.Fatalf("NewCrypter(%q, %q, %q) = %v", c.token, c.key, c.receiverID, err)
	}
	return cr
}

// Test vectors, copied verbatim from wecom-protocol.md §1.1.
const (
	v1aEcho = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	v1bEnc  = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
	v1bMsg  = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>"
	v2aEcho = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
	v2bEnc  = "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
	v2bMsg  = "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
	v3aEcho = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
	v3bEnc  = "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
	v3bMsg  = "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<FromUserName><![CDATA[messense]]></FromUserName>\n<CreateTime>1411525903</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<MsgId>4363689963896700987</MsgId>\n<AgentID>1</AgentID>\n</xml>"
	v3cEnc  = "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
	v3cMsg  = "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>"
	v3cSig  = "407518b7649e86ef23978113f92d27afa9296533"
)

type cryptoVector struct {
	name    string
	kind    string // "verify", "decrypt" or "encrypt"
	creds   cryptoCreds
	sig     string
	ts      string
	nonce   string
	encrypt string
	agentID string // decrypt vectors: AgentID of the POST body
	body    string // decrypt vectors: the POST body; built from the fields if empty
	plain   string
}

var cryptoVectors = []cryptoVector{
	{name: "V1a", kind: "verify", creds: credsGO, sig: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", ts: "1409659589", nonce: "263014780",
		encrypt: v1aEcho, plain: "1616140317555161061"},
	{name: "V1b", kind: "decrypt", creds: credsGO, sig: "477715d11cdb4164915debcba66cb864d751f3e6", ts: "1409659813", nonce: "1372623149",
		encrypt: v1bEnc, agentID: "218", plain: v1bMsg},
	{name: "V2a", kind: "verify", creds: credsPY, sig: "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", ts: "1476416373", nonce: "47744683",
		encrypt: v2aEcho, plain: "1288432023552776189"},
	{name: "V2b", kind: "decrypt", creds: credsPY, sig: "0c3914025cb4b4d68103f6bfc8db550f79dcf48e", ts: "1476422779", nonce: "1597212914",
		encrypt: v2bEnc, agentID: "1000002", plain: v2bMsg},
	{name: "V3a", kind: "verify", creds: credsWP, sig: "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", ts: "1411443780", nonce: "437374425",
		encrypt: v3aEcho, plain: "5927782489442352469"},
	// wechatpy's body has newlines between the elements.
	{name: "V3b", kind: "decrypt", creds: credsWP, sig: "74d92dfeb87ba7c714f89d98870ae5eb62dff26d", ts: "1411525903", nonce: "461056294",
		encrypt: v3bEnc, agentID: "1", plain: v3bMsg,
		body: "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<Encrypt><![CDATA[" + v3bEnc + "]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>"},
	{name: "V3c", kind: "encrypt", creds: credsWP, sig: v3cSig, ts: "1411525903", nonce: "461056294",
		encrypt: v3cEnc, plain: v3cMsg},
}

func (v cryptoVector) postBody() []byte {
	if v.body != "" {
		return []byte(v.body)
	}
	return []byte("<xml><ToUserName><![CDATA[" + v.creds.receiverID + "]]></ToUserName><Encrypt><![CDATA[" +
		v.encrypt + "]]></Encrypt><AgentID><![CDATA[" + v.agentID + "]]></AgentID></xml>")
}

// v3cPrefix is the fixed random prefix wechatpy's test mocks in.
const v3cPrefix = "1234567890123456"

func TestCrypter_Vectors(t *testing.T) {
	t.Parallel()
	for _, v := range cryptoVectors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			c := newCrypter(t, v.creds)
			if got := c.Signature(v.ts, v.nonce, v.encrypt); got != v.sig {
				t.Errorf("Signature(%q, %q, …) = %s; want %s", v.ts, v.nonce, got, v.sig)
			}
			switch v.kind {
			case "verify":
				got, err := c.VerifyURL(v.sig, v.ts, v.nonce, v.encrypt)
				if err != nil || string(got) != v.plain {
					t.Errorf("VerifyURL = %q, %v; want %q, nil", got, err, v.plain)
				}
			case "decrypt":
				got, err := c.Decrypt(v.sig, v.ts, v.nonce, v.encrypt)
				if err != nil || string(got) != v.plain {
					t.Errorf("Decrypt = %q, %v; want %q, nil", got, err, v.plain)
				}
				env, got, err := c.DecryptMessage(v.sig, v.ts, v.nonce, v.postBody())
				if err != nil || string(got) != v.plain {
					t.Fatalf("DecryptMessage = %q, %v; want %q, nil", got, err, v.plain)
				}
				want := wecom.Envelope{ToUserName: v.creds.receiverID, Encrypt: v.encrypt, AgentID: v.agentID}
				if *env != want {
					t.Errorf("DecryptMessage envelope = %+v; want %+v", *env, want)
				}
			case "encrypt":
				wecom.SetCrypterRand(c, strings.NewReader(v3cPrefix))
				got, err := c.Encrypt([]byte(v.plain))
				if err != nil || got != v.encrypt {
					t.Errorf("Encrypt = %q, %v;\nwant %q", got, err, v.encrypt)
				}
				wecom.SetCrypterRand(c, strings.NewReader(v3cPrefix))
				reply, err := c.EncryptReply([]byte(v.plain), v.ts, v.nonce)
				want := "<xml>\n<Encrypt><![CDATA[" + v.encrypt + "]]></Encrypt>\n" +
					"<MsgSignature><![CDATA[" + v3cSig + "]]></MsgSignature>\n" +
					"<TimeStamp>1411525903</TimeStamp>\n" +
					"<Nonce><![CDATA[461056294]]></Nonce>\n" +
					"</xml>"
				if err != nil || string(reply) != want {
					t.Errorf("EncryptReply = %q, %v;\nwant %q", reply, err, want)
				}
				// And it decrypts back (prefix consumed; reader now empty).
				msg, err := c.Decrypt(v.sig, v.ts, v.nonce, v.encrypt)
				if err != nil || string(msg) != v.plain {
					t.Errorf("Decrypt(V3c) = %q, %v; want %q, nil", msg, err, v.plain)
				}
				if _, err := c.Encrypt([]byte("x")); err == nil {
					t.Error("Encrypt with an exhausted random source succeeded; want error")
				}
			}
		})
	}
}

func TestCryptoError_Codes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  *wecom.CryptoError
		code int
		text string
	}{
		{wecom.ErrInvalidSignature, -40001, "wecom crypto: signature mismatch (-40001)"},
		{wecom.ErrMalformed, -40002, "wecom crypto: malformed body (-40002)"},
		{wecom.ErrBadKey, -40004, "wecom crypto: invalid EncodingAESKey (-40004)"},
		{wecom.ErrReceiverMismatch, -40005, "wecom crypto: receiveid mismatch (-40005)"},
		{wecom.ErrDecrypt, -40007, "wecom crypto: cannot decrypt (-40007)"},
		{wecom.ErrBadPadding, -40008, "wecom crypto: bad padding (-40008)"},
		{wecom.ErrBase64, -40010, "wecom crypto: bad base64 (-40010)"},
	} {
		if tc.err.Code != tc.code || tc.err.Error() != tc.text {
			t.Errorf("%v: Code = %d, Error() = %q; want %d, %q", tc.err, tc.err.Code, tc.err.Error(), tc.code, tc.text)
		}
		// Wrapped details still match, and errors.As finds the code.
		wrapped := error(errors.Join(errors.New("ctx"), tc.err))
		var ce *wecom.CryptoError
		if !errors.Is(wrapped, tc.err) || !errors.As(wrapped, &ce) || ce.Code != tc.code {
			t.Errorf("errors.Is/As on wrapped %v failed", tc.err)
		}
	}
}

func TestNewCrypter_Errors(t *testing.T) {
	t.Parallel()
	const key = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	for _, tc := range []struct {
		name, token, key string
		isBadKey         bool
		wantMsg          string
	}{
		{"key 42 chars", "QDG6eK", key[:42], true, "EncodingAESKey must be 43 characters, got 42"},
		{"key 44 chars", "QDG6eK", key + "A", true, "EncodingAESKey must be 43 characters, got 44"},
		{"key with =", "QDG6eK", key + "=", true, `got 44 (drop the trailing "=")`},
		{"key empty", "QDG6eK", "", true, "EncodingAESKey must be 43 characters, got 0"},
		{"key non-alnum", "QDG6eK", key[:20] + "+" + key[21:], true, "invalid character at position 21"},
		{"key non-ASCII", "QDG6eK", key[:42] + "é", true, "invalid character at position 43"},
		{"token empty", "", key, false, "token must be 1-32 characters, got 0"},
		{"token 33 chars", strings.Repeat("a", 33), key, false, "token must be 1-32 characters, got 33"},
		{"token non-alnum", "QDG-6eK", key, false, "invalid character at position 4"},
		{"token non-ASCII", strings.Repeat("é", 20), key, false, "invalid character at position 1"},
		{"token 33 runes", strings.Repeat("é", 33), key, false, "got 33"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := wecom.NewCrypter(tc.token, tc.key, "corp")
			if err == nil {
				t.Fatalf("NewCrypter(%q, %q) = %v, nil; want error", tc.token, tc.key, c)
			}
			if errors.Is(err, wecom.ErrBadKey) != tc.isBadKey {
				t.Errorf("NewCrypter(%q, %q) = %v; errors.Is(ErrBadKey) = %v, want %v", tc.token, tc.key, err, !tc.isBadKey, tc.isBadKey)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("NewCrypter(%q, %q) = %v; want message containing %q", tc.token, tc.key, err, tc.wantMsg)
			}
			if tc.key != "" && len(tc.key) >= 10 && strings.Contains(err.Error(), tc.key[:10]) {
				t.Errorf("error %q leaks the key", err)
			}
		})
	}
	// The limits themselves are fine, and the receiver may be empty.
	if _, err := wecom.NewCrypter(strings.Repeat("Z", 32), key, ""); err != nil {
		t.Errorf("NewCrypter(32-char token, empty receiver) = %v; want nil", err)
	}
}

// aesKey decodes an EncodingAESKey the way the spec says, independently of
// the package.
func aesKey(tb testing.TB, encodingAESKey string) []byte {
	tb.Helper()
	k, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(k) != 32 {
		tb.Fatalf("decode key: %v (%d bytes)", err, len(k))
	}
	return k
}

// sealRaw encrypts plain (a multiple of 16 bytes, no padding added) with
// AES-256-CBC and IV = key[:16] and returns base64. It lets tests craft
// ciphertexts whose plaintext layout is broken on purpose.
func sealRaw(tb testing.TB, key, plain []byte) string {
	tb.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		tb.Fatal(err)
	}
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(ct, plain)
	return base64.StdEncoding.EncodeToString(ct)
}

// plainLayout builds prefix ‖ be32(msgLen) ‖ msg ‖ rid ‖ padding, with the pad
// value pad repeated pad times (pad may be any value; tests break it).
func plainLayout(msgLen uint32, msg, rid string, pad byte, padCount int) []byte {
	p := []byte("0123456789abcdef")
	p = binary.BigEndian.AppendUint32(p, msgLen)
	p = append(p, msg...)
	p = append(p, rid...)
	for range padCount {
		p = append(p, pad)
	}
	return p
}

// goodPad returns the PKCS#7 pad for a plaintext of n bytes.
func goodPad(n int) int { return 32 - n%32 }

func TestCrypter_DecryptErrors(t *testing.T) {
	t.Parallel()
	c := newCrypter(t, credsGO)
	key := aesKey(t, credsGO.key)
	rid := credsGO.receiverID
	const ts, nonce = "1409659813", "1372623149"

	// 6 + 20 + 18 = 44 bytes of content; 20 bytes of padding → 64.
	const msg = "hello!"
	n := 20 + len(msg) + len(rid)
	valid := plainLayout(uint32(len(msg)), msg, rid, byte(goodPad(n)), goodPad(n))
	if got, err := c.Decrypt(c.Signature(ts, nonce, sealRaw(t, key, valid)), ts, nonce, sealRaw(t, key, valid)); err != nil || string(got) != msg {
		t.Fatalf("crafted valid ciphertext: Decrypt = %q, %v; want %q, nil", got, err, msg)
	}
	mutate := func(f func(p []byte)) []byte {
		p := bytes.Clone(valid)
		f(p)
		return p
	}

	for _, tc := range []struct {
		name    string
		encrypt string
		sig     string // "" means a valid signature
		want    error
	}{
		{name: "signature wrong", encrypt: v1bEnc, sig: "477715d11cdb4164915debcba66cb864d751f3e7", want: wecom.ErrInvalidSignature},
		{name: "signature upper case", encrypt: v1bEnc, sig: "477715D11CDB4164915DEBCBA66CB864D751F3E6", want: wecom.ErrInvalidSignature},
		{name: "signature empty", encrypt: v1bEnc, sig: "-", want: wecom.ErrInvalidSignature},
		{name: "signature truncated", encrypt: v1bEnc, sig: "477715d11cdb4164915debcba66cb864d751f3e", want: wecom.ErrInvalidSignature},
		{name: "signature of another message", encrypt: v1bEnc, sig: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", want: wecom.ErrInvalidSignature},
		// The signature is checked before anything else is looked at.
		{name: "signature wrong, base64 bad", encrypt: "!!!!", sig: "477715d11cdb4164915debcba66cb864d751f3e6", want: wecom.ErrInvalidSignature},
		{name: "base64 bad char", encrypt: "!!!!", want: wecom.ErrBase64},
		{name: "base64 truncated", encrypt: v1bEnc[:len(v1bEnc)-1], want: wecom.ErrBase64},
		{name: "base64 URL alphabet", encrypt: strings.NewReplacer("+", "-", "/", "_").Replace(v1bEnc), want: wecom.ErrBase64},
		{name: "empty", encrypt: "", want: wecom.ErrDecrypt},
		{name: "16 bytes", encrypt: base64.StdEncoding.EncodeToString(make([]byte, 16)), want: wecom.ErrDecrypt},
		{name: "33 bytes", encrypt: base64.StdEncoding.EncodeToString(make([]byte, 33)), want: wecom.ErrDecrypt},
		{name: "47 bytes", encrypt: base64.StdEncoding.EncodeToString(make([]byte, 47)), want: wecom.ErrDecrypt},
		{name: "pad byte 0", encrypt: sealRaw(t, key, mutate(func(p []byte) { p[len(p)-1] = 0 })), want: wecom.ErrBadPadding},
		// 44 bytes of content and 20 bytes of 33s: 64 bytes.
		{name: "pad byte 33", encrypt: sealRaw(t, key, plainLayout(uint32(len(msg)), msg, rid, 33, 20)), want: wecom.ErrBadPadding},
		{name: "pad bytes inconsistent", encrypt: sealRaw(t, key, mutate(func(p []byte) { p[len(p)-2] = 19 })), want: wecom.ErrBadPadding},
		{name: "pad bytes inconsistent first", encrypt: sealRaw(t, key, mutate(func(p []byte) { p[len(p)-20] = 0 })), want: wecom.ErrBadPadding},
		{name: "pad 32 whole block of 32s", encrypt: sealRaw(t, key, bytes.Repeat([]byte{32}, 32)), want: wecom.ErrBadPadding},
		{name: "msg_len larger than buffer", encrypt: sealRaw(t, key, mutate(func(p []byte) { binary.BigEndian.PutUint32(p[16:], 1000) })), want: wecom.ErrBadPadding},
		{name: "msg_len one too many", encrypt: sealRaw(t, key, mutate(func(p []byte) { binary.BigEndian.PutUint32(p[16:], uint32(len(msg)+len(rid)+1)) })), want: wecom.ErrBadPadding},
		{name: "msg_len max uint32", encrypt: sealRaw(t, key, mutate(func(p []byte) { binary.BigEndian.PutUint32(p[16:], 0xffffffff) })), want: wecom.ErrBadPadding},
		{name: "msg_len 1<<31", encrypt: sealRaw(t, key, mutate(func(p []byte) { binary.BigEndian.PutUint32(p[16:], 1<<31) })), want: wecom.ErrBadPadding},
		{name: "msg_len too short shifts receiveid", encrypt: sealRaw(t, key, mutate(func(p []byte) { binary.BigEndian.PutUint32(p[16:], 5) })), want: wecom.ErrReceiverMismatch},
		{name: "msg_len covers receiveid", encrypt: sealRaw(t, key, mutate(func(p []byte) { binary.BigEndian.PutUint32(p[16:], uint32(len(msg)+len(rid))) })), want: wecom.ErrReceiverMismatch},
		{name: "receiveid of another corp", encrypt: sealRaw(t, key, plainLayout(6, msg, "wx5823bf96d3bd56c8", 20, 20)), want: wecom.ErrReceiverMismatch},
		{name: "receiveid empty", encrypt: sealRaw(t, key, plainLayout(24, msg+"0123456789abcdefgh", "", 20, 20)), want: wecom.ErrReceiverMismatch},
		{name: "other app's message", encrypt: v3bEnc, want: wecom.ErrBadPadding},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig := tc.sig
			if sig == "" {
				sig = c.Signature(ts, nonce, tc.encrypt)
			} else if sig == "-" {
				sig = ""
			}
			got, err := c.Decrypt(sig, ts, nonce, tc.encrypt)
			if !errors.Is(err, tc.want) {
				t.Errorf("Decrypt(%.20q…) = %q, %v; want %v", tc.encrypt, got, err, tc.want)
			}
			if got != nil {
				t.Errorf("Decrypt returned %q with error %v; want nil message", got, err)
			}
			if _, err := c.VerifyURL(sig, ts, nonce, tc.encrypt); !errors.Is(err, tc.want) {
				t.Errorf("VerifyURL(%.20q…) = %v; want %v", tc.encrypt, err, tc.want)
			}
		})
	}

	t.Run("wrong receiver configured", func(t *testing.T) {
		for _, rid := range []string{"wx5823bf96d3bd56c", "wx5823bf96d3bd56c77", "", "WX5823BF96D3BD56C7"} {
			other := newCrypter(t, cryptoCreds{credsGO.token, credsGO.key, rid})
			if _, err := other.Decrypt("477715d11cdb4164915debcba66cb864d751f3e6", ts, nonce, v1bEnc); !errors.Is(err, wecom.ErrReceiverMismatch) {
				t.Errorf("receiver %q: Decrypt(V1b) = %v; want ErrReceiverMismatch", rid, err)
			}
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		other := newCrypter(t, cryptoCreds{"QDG6eL", credsGO.key, credsGO.receiverID})
		if _, err := other.Decrypt("477715d11cdb4164915debcba66cb864d751f3e6", ts, nonce, v1bEnc); !errors.Is(err, wecom.ErrInvalidSignature) {
			t.Errorf("Decrypt(V1b) with another token = %v; want ErrInvalidSignature", err)
		}
	})
}

func TestCrypter_ParseEnvelope(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		want       *wecom.Envelope // nil means ErrMalformed
	}{
		{"ok", "<xml><ToUserName><![CDATA[c]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt><AgentID><![CDATA[7]]></AgentID></xml>",
			&wecom.Envelope{ToUserName: "c", Encrypt: "abc=", AgentID: "7"}},
		{"no CDATA, no AgentID", "<xml><ToUserName>c</ToUserName><Encrypt>abc=</Encrypt></xml>",
			&wecom.Envelope{ToUserName: "c", Encrypt: "abc="}},
		{"extra elements", "<?xml version=\"1.0\"?>\n<xml><Foo>1</Foo><Encrypt>a</Encrypt></xml>", &wecom.Envelope{Encrypt: "a"}},
		{"Encrypt not trimmed", "<xml><Encrypt> a\n</Encrypt></xml>", &wecom.Envelope{Encrypt: " a\n"}},
		{"empty body", "", nil},
		{"not XML", "hello", nil},
		{"JSON", `{"tousername":"c","encrypt":"abc","agentid":1}`, nil},
		{"truncated", "<xml><Encrypt><![CDATA[abc", nil},
		{"unclosed root", "<xml><Encrypt>abc</Encrypt>", nil},
		{"missing Encrypt", "<xml><ToUserName>c</ToUserName><AgentID>1</AgentID></xml>", nil},
		{"empty Encrypt", "<xml><ToUserName>c</ToUserName><Encrypt><![CDATA[]]></Encrypt></xml>", nil},
		{"wrong root", "<foo><Encrypt>abc</Encrypt></foo>", nil},
		{"Encrypt nested deeper", "<xml><a><Encrypt>abc</Encrypt></a></xml>", nil},
		{"undefined entity", "<xml><Encrypt>&bogus;</Encrypt></xml>", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := wecom.ParseEnvelope([]byte(tc.body))
			if tc.want == nil {
				if !errors.Is(err, wecom.ErrMalformed) || got != nil {
					t.Errorf("ParseEnvelope(%q) = %+v, %v; want nil, ErrMalformed", tc.body, got, err)
				}
				return
			}
			if err != nil || *got != *tc.want {
				t.Errorf("ParseEnvelope(%q) = %+v, %v; want %+v, nil", tc.body, got, err, tc.want)
			}
		})
	}

	t.Run("DecryptMessage", func(t *testing.T) {
		c := newCrypter(t, credsGO)
		env, msg, err := c.DecryptMessage("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", []byte("<xml><Encrypt/></xml>"))
		if !errors.Is(err, wecom.ErrMalformed) || env != nil || msg != nil {
			t.Errorf("DecryptMessage(no Encrypt) = %v, %q, %v; want nil, nil, ErrMalformed", env, msg, err)
		}
		env, msg, err = c.DecryptMessage("0000000000000000000000000000000000000000", "1409659813", "1372623149", cryptoVectors[1].postBody())
		if !errors.Is(err, wecom.ErrInvalidSignature) || env != nil || msg != nil {
			t.Errorf("DecryptMessage(bad signature) = %v, %q, %v; want nil, nil, ErrInvalidSignature", env, msg, err)
		}
	})
}

// roundTripMessages covers the padding boundaries: with an 18-byte
// receiveid, 20+18+n is a multiple of 32 for n = 26, 58, 90.
func roundTripMessages() map[string][]byte {
	return map[string][]byte{
		"empty":      {},
		"1 byte":     {'x'},
		"25 bytes":   bytes.Repeat([]byte{'a'}, 25),
		"26 bytes":   bytes.Repeat([]byte{'a'}, 26),
		"27 bytes":   bytes.Repeat([]byte{'a'}, 27),
		"31 bytes":   bytes.Repeat([]byte{'b'}, 31),
		"32 bytes":   bytes.Repeat([]byte{'c'}, 32),
		"33 bytes":   bytes.Repeat([]byte{'d'}, 33),
		"600 bytes":  bytes.Repeat([]byte("0123456789"), 60),
		"binary":     {0, 0xff, 0x10, ']', ']', '>', 0x20},
		"UTF-8":      []byte("<xml><Content><![CDATA[你好，世界 🌏 ¿qué? Привет]]></Content></xml>"),
		"pad-like":   bytes.Repeat([]byte{32}, 64),
		"64 KiB":     bytes.Repeat([]byte("é"), 32<<10),
		"nul bytes":  make([]byte, 100),
		"large text": []byte(strings.Repeat("消息", 1000)),
	}
}

func TestCrypter_RoundTrip(t *testing.T) {
	t.Parallel()
	const ts, nonce = "1700000000", "42"
	for _, rid := range []string{credsGO.receiverID, "", "ww" + strings.Repeat("0", 30)} {
		c := newCrypter(t, cryptoCreds{credsGO.token, credsGO.key, rid})
		for name, msg := range roundTripMessages() {
			t.Run(name+"/rid="+rid, func(t *testing.T) {
				enc, err := c.Encrypt(msg)
				if err != nil {
					t.Fatalf("Encrypt(%d bytes) = %v", len(msg), err)
				}
				ct, err := base64.StdEncoding.DecodeString(enc)
				if err != nil {
					t.Fatalf("Encrypt output is not base64: %v", err)
				}
				// Plaintext is padded to 32 with 1..32 bytes.
				n := 20 + len(msg) + len(rid)
				if want := n + goodPad(n); len(ct) != want {
					t.Errorf("ciphertext is %d bytes; want %d", len(ct), want)
				}
				got, err := c.Decrypt(c.Signature(ts, nonce, enc), ts, nonce, enc)
				if err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("Decrypt(Encrypt(%.40q)) = %.40q, %v", msg, got, err)
				}
				if cap(got) != len(got) {
					t.Errorf("cap(msg) = %d; want %d (appending must not clobber the buffer)", cap(got), len(got))
				}
				enc2, _ := c.Encrypt(msg)
				if enc2 == enc {
					t.Errorf("two encryptions of %.20q are identical; the prefix is not random", msg)
				}
			})
		}
	}
}

func TestCrypter_EncryptCallback(t *testing.T) {
	t.Parallel()
	const ts, nonce = "1700000000", "nonce123"
	c := newCrypter(t, credsGO)
	for _, agentID := range []string{"218", "", "1000002"} {
		for name, msg := range roundTripMessages() {
			body, sig, err := c.EncryptCallback(msg, ts, nonce, agentID)
			if err != nil {
				t.Fatalf("EncryptCallback(%s, agent %q) = %v", name, agentID, err)
			}
			if !bytes.HasPrefix(body, []byte("<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[")) ||
				!bytes.HasSuffix(body, []byte("]]></Encrypt><AgentID><![CDATA["+agentID+"]]></AgentID></xml>")) {
				t.Errorf("EncryptCallback body = %q; wrong layout", body)
			}
			env, got, err := c.DecryptMessage(sig, ts, nonce, body)
			if err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("DecryptMessage(EncryptCallback(%s)) = %.40q, %v", name, got, err)
			}
			if env.ToUserName != credsGO.receiverID || env.AgentID != agentID || c.Signature(ts, nonce, env.Encrypt) != sig {
				t.Errorf("envelope = %+v, signature %s; want ToUserName %q, AgentID %q, matching signature", env, sig, credsGO.receiverID, agentID)
			}
			// A different nonce must not verify.
			if _, _, err := c.DecryptMessage(sig, ts, nonce+"0", body); !errors.Is(err, wecom.ErrInvalidSignature) {
				t.Errorf("DecryptMessage with another nonce = %v; want ErrInvalidSignature", err)
			}
		}
	}
}

// replyXML is the passive-reply envelope as a WeCom client would parse it.
type replyXML struct {
	Encrypt      string
	MsgSignature string
	TimeStamp    string
	Nonce        string
}

func TestCrypter_EncryptReply(t *testing.T) {
	t.Parallel()
	c := newCrypter(t, credsWP)
	for name, msg := range roundTripMessages() {
		for _, nonce := range []string{"461056294", "a<b&c>d", "]]", "x]>y", "~!@#$%^&*()_+ {}|:\"<>?"} {
			const ts = "1411525903"
			out, err := c.EncryptReply(msg, ts, nonce)
			if err != nil {
				t.Fatalf("EncryptReply(%s, %q) = %v", name, nonce, err)
			}
			var r replyXML
			if err := xml.Unmarshal(out, &r); err != nil {
				t.Fatalf("EncryptReply output does not parse: %v\n%s", err, out)
			}
			if r.TimeStamp != ts || r.Nonce != nonce {
				t.Errorf("reply TimeStamp, Nonce = %q, %q; want %q, %q", r.TimeStamp, r.Nonce, ts, nonce)
			}
			got, err := c.Decrypt(r.MsgSignature, r.TimeStamp, r.Nonce, r.Encrypt)
			if err != nil || !bytes.Equal(got, msg) {
				t.Errorf("Decrypt(EncryptReply(%s)) = %.40q, %v", name, got, err)
			}
		}
	}
}

func TestCrypter_EncryptRejectsUnsafeXML(t *testing.T) {
	t.Parallel()
	c := newCrypter(t, credsWP)
	for _, tc := range []struct{ ts, nonce string }{
		{"", "1"},
		{"12a", "1"},
		{"1 2", "1"},
		{"1]]>", "1"},
		{"١٢٣", "1"}, // Arabic-Indic digits are not ASCII digits
		{"1", ""},
		{"1", "a]]>b"},
		{"1", "]]>"},
		{"1", "a\nb"},
		{"1", "a\x00b"},
		{"1", "a\x7fb"},
		{"1", "é"},
	} {
		if out, err := c.EncryptReply([]byte("m"), tc.ts, tc.nonce); err == nil {
			t.Errorf("EncryptReply(ts %q, nonce %q) = %q, nil; want error", tc.ts, tc.nonce, out)
		}
	}
	for _, agentID := range []string{"]]>", "1]]>2", "a\nb", "\x01", "中"} {
		if body, _, err := c.EncryptCallback([]byte("m"), "1", "1", agentID); err == nil {
			t.Errorf("EncryptCallback(agentID %q) = %q, nil; want error", agentID, body)
		}
	}
	bad := newCrypter(t, cryptoCreds{credsWP.token, credsWP.key, "corp]]><x/>"})
	if body, _, err := bad.EncryptCallback([]byte("m"), "1", "1", "1"); err == nil {
		t.Errorf("EncryptCallback with receiverID containing ]]> = %q, nil; want error", body)
	}
	// Decrypting does not care what the ReceiveId looks like.
	enc, err := bad.Encrypt([]byte("m"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := bad.Decrypt(bad.Signature("1", "1", enc), "1", "1", enc); err != nil || string(got) != "m" {
		t.Errorf("Decrypt with odd receiverID = %q, %v", got, err)
	}
}

func TestCrypter_Concurrent(t *testing.T) {
	t.Parallel()
	c := newCrypter(t, credsGO)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				msg := []byte(strings.Repeat("m", i*50+j))
				body, sig, err := c.EncryptCallback(msg, "1", "2", "3")
				if err != nil {
					t.Error(err)
					return
				}
				_, got, err := c.DecryptMessage(sig, "1", "2", body)
				if err != nil || !bytes.Equal(got, msg) {
					t.Errorf("DecryptMessage = %q, %v", got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestCrypter_ReceiverID(t *testing.T) {
	t.Parallel()
	if got := newCrypter(t, credsPY).ReceiverID(); got != credsPY.receiverID {
		t.Errorf("ReceiverID() = %q; want %q", got, credsPY.receiverID)
	}
}

// BenchmarkVerifyDecrypt600 measures what a callback handler does per POST:
// parse the envelope, check the signature, decrypt a 600-byte message.
func BenchmarkVerifyDecrypt600(b *testing.B) {
	c := newCrypter(b, credsGO)
	msg := []byte("<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>" +
		"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[")
	msg = append(msg, strings.Repeat("x", 600-len(msg)-len("]]></Content></xml>"))...)
	msg = append(msg, "]]></Content></xml>"...)
	if len(msg) != 600 || !utf8.Valid(msg) {
		b.Fatalf("message is %d bytes", len(msg))
	}
	body, sig, err := c.EncryptCallback(msg, "1700000000", "1234567890", "1000002")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		_, got, err := c.DecryptMessage(sig, "1700000000", "1234567890", body)
		if err != nil || len(got) != 600 {
			b.Fatalf("DecryptMessage = %d bytes, %v", len(got), err)
		}
	}
}

// BenchmarkCrypterDecrypt600 is BenchmarkVerifyDecrypt600 without the XML
// envelope: signature check and decryption only.
func BenchmarkCrypterDecrypt600(b *testing.B) {
	c := newCrypter(b, credsGO)
	msg := bytes.Repeat([]byte{'x'}, 600)
	enc, err := c.Encrypt(msg)
	if err != nil {
		b.Fatal(err)
	}
	sig := c.Signature("1700000000", "1234567890", enc)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		got, err := c.Decrypt(sig, "1700000000", "1234567890", enc)
		if err != nil || len(got) != 600 {
			b.Fatalf("Decrypt = %d bytes, %v", len(got), err)
		}
	}
}
