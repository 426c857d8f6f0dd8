package wecom_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/wecom"
)

// refOpen is a reference for what Decrypt must do with a decrypted
// plaintext p, written separately from the package (and deliberately plainly)
// so the fuzzer can compare the two.
func refOpen(p []byte, receiverID string) ([]byte, error) {
	if len(p) < 32 || len(p)%16 != 0 {
		return nil, wecom.ErrDecrypt
	}
	pad := int(p[len(p)-1])
	if pad == 0 || pad > 32 {
		return nil, wecom.ErrBadPadding
	}
	for i := 1; i <= pad; i++ {
		if int(p[len(p)-i]) != pad {
			return nil, wecom.ErrBadPadding
		}
	}
	body := p[:len(p)-pad]
	if len(body) < 20 {
		return nil, wecom.ErrBadPadding
	}
	n := uint64(body[16])<<24 | uint64(body[17])<<16 | uint64(body[18])<<8 | uint64(body[19])
	if 20+n > uint64(len(body)) {
		return nil, wecom.ErrBadPadding
	}
	if string(body[20+n:]) != receiverID {
		return nil, wecom.ErrReceiverMismatch
	}
	return body[20 : 20+n], nil
}

// FuzzDecrypt feeds Decrypt validly signed input, so every check after the
// signature is reached:
//   - encrypt: an arbitrary msg_encrypt string, which must give a
//     message or a crypto error, never a panic;
//   - plain: an arbitrary plaintext (cut to whole AES blocks), encrypted
//     under the right key, whose result must match refOpen exactly.
func FuzzDecrypt(f *testing.F) {
	for _, v := range cryptoVectors {
		f.Add(v.encrypt, []byte(v.plain))
	}
	rid := credsGO.receiverID
	for _, s := range []string{"", "=", "====", "!!!!", "AAAA", "A===",
		base64.StdEncoding.EncodeToString(make([]byte, 16)),
		base64.StdEncoding.EncodeToString(make([]byte, 32)),
		base64.StdEncoding.EncodeToString(make([]byte, 33)),
		base64.RawStdEncoding.EncodeToString(make([]byte, 32)),
		strings.Repeat("/", 44), v1bEnc + "\n", " " + v1bEnc} {
		f.Add(s, []byte{})
	}
	for _, p := range [][]byte{
		plainLayout(5, "hello", rid, 5, 5),                    // valid (48 bytes)
		plainLayout(5, "hello", rid, 0, 5),                    // pad 0
		plainLayout(5, "hello", rid, 33, 5),                   // pad 33
		plainLayout(5, "hello", rid, 32, 5),                   // pad longer than its run
		plainLayout(1000, "hello", rid, 5, 5),                 // msg_len too big
		plainLayout(0xffffffff, "hello", rid, 5, 5),           // msg_len max
		plainLayout(23, "hello", rid, 5, 5),                   // msg_len eats receiveid
		plainLayout(0, "", "", 12, 12),                        // 32 bytes, empty everything
		bytes.Repeat([]byte{32}, 32),                          // pad only
		bytes.Repeat([]byte{16}, 32),                          // 16-byte plaintext after unpad
		plainLayout(2, "hi", rid, 24, 24),                     // valid, pad 24 > 16
		plainLayout(uint32(len(v1bMsg)), v1bMsg, rid, 20, 20), // not aligned: the fuzz body cuts it
	} {
		f.Add("", p)
	}

	c := newCrypter(f, credsGO)
	key := aesKey(f, credsGO.key)
	block, err := aes.NewCipher(key)
	if err != nil {
		f.Fatal(err)
	}
	cryptoErrs := []error{wecom.ErrBase64, wecom.ErrDecrypt, wecom.ErrBadPadding, wecom.ErrReceiverMismatch}

	f.Fuzz(func(t *testing.T, encrypt string, plain []byte) {
		const ts, nonce = "1409659813", "1372623149"

		// 1. Arbitrary msg_encrypt.
		msg, err := c.Decrypt(c.Signature(ts, nonce, encrypt), ts, nonce, encrypt)
		if err != nil {
			if msg != nil {
				t.Fatalf("Decrypt returned %q along with error %v", msg, err)
			}
			if !isAnyErr(err, cryptoErrs) {
				t.Fatalf("Decrypt(%q) = %v; want one of %v", encrypt, err, cryptoErrs)
			}
		} else if len(msg) > len(encrypt) {
			t.Fatalf("Decrypt(%q) returned %d bytes, more than its input", encrypt, len(msg))
		}
		// The same string as a POST body must not panic either.
		if env, err := wecom.ParseEnvelope([]byte(encrypt)); err != nil && !errors.Is(err, wecom.ErrMalformed) || err == nil && env.Encrypt == "" {
			t.Fatalf("ParseEnvelope(%q) = %+v, %v", encrypt, env, err)
		}

		// 2. Arbitrary plaintext under the right key.
		p := plain[:len(plain)/aes.BlockSize*aes.BlockSize]
		ct := make([]byte, len(p))
		cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(ct, p)
		enc := base64.StdEncoding.EncodeToString(ct)
		got, err := c.Decrypt(c.Signature(ts, nonce, enc), ts, nonce, enc)
		want, wantErr := refOpen(p, rid)
		if wantErr != nil {
			if !errors.Is(err, wantErr) || got != nil {
				t.Fatalf("Decrypt(plaintext %x) = %q, %v; want %v", p, got, err, wantErr)
			}
			return
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Decrypt(plaintext %x) = %q, %v; want %q, nil", p, got, err, want)
		}
	})
}

func isAnyErr(err error, targets []error) bool {
	for _, e := range targets {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// validReplyArgs is the reference for which (timestamp, nonce) EncryptReply
// accepts.
func validReplyArgs(ts, nonce string) bool {
	if ts == "" || nonce == "" || strings.Contains(nonce, "]]>") {
		return false
	}
	for _, r := range ts {
		if r < '0' || r > '9' {
			return false
		}
	}
	for _, r := range nonce {
		if r < 0x20 || r > 0x7e {
			return false
		}
	}
	return true
}

// FuzzRoundTrip checks Decrypt(Encrypt(m)) == m for messages up to 64 KiB,
// and that EncryptReply and EncryptCallback either refuse their timestamp,
// nonce and AgentID or produce XML that parses back to the same values.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(""), "1411525903", "461056294")
	f.Add([]byte("x"), "0", "]]>")
	f.Add([]byte(v3cMsg), "1411525903", "a]]b")
	f.Add(bytes.Repeat([]byte{32}, 32), "", "")
	f.Add([]byte("你好 🌏"), "12\n", "<![CDATA[")
	f.Add(make([]byte, 600), "1", "&amp;")

	c := newCrypter(f, credsGO)
	f.Fuzz(func(t *testing.T, msg []byte, ts, nonce string) {
		if len(msg) > 64<<10 {
			msg = msg[:64<<10]
		}
		enc, err := c.Encrypt(msg)
		if err != nil {
			t.Fatalf("Encrypt(%d bytes) = %v", len(msg), err)
		}
		got, err := c.Decrypt(c.Signature(ts, nonce, enc), ts, nonce, enc)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("Decrypt(Encrypt(%q)) = %q, %v", msg, got, err)
		}

		reply, err := c.EncryptReply(msg, ts, nonce)
		if valid := validReplyArgs(ts, nonce); (err == nil) != valid {
			t.Fatalf("EncryptReply(ts %q, nonce %q) error = %v; want accepted = %v", ts, nonce, err, valid)
		}
		if err == nil {
			var r replyXML
			if err := xml.Unmarshal(reply, &r); err != nil {
				t.Fatalf("EncryptReply(ts %q, nonce %q) is not XML: %v\n%s", ts, nonce, err, reply)
			}
			if r.TimeStamp != ts || r.Nonce != nonce {
				t.Fatalf("reply parsed to ts %q, nonce %q; want %q, %q", r.TimeStamp, r.Nonce, ts, nonce)
			}
			if got, err := c.Decrypt(r.MsgSignature, r.TimeStamp, r.Nonce, r.Encrypt); err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("Decrypt(reply) = %q, %v; want %q", got, err, msg)
			}
		}

		agentID := nonce
		body, sig, err := c.EncryptCallback(msg, ts, nonce, agentID)
		if valid := agentID == "" || validReplyArgs("1", agentID); (err == nil) != valid {
			t.Fatalf("EncryptCallback(agentID %q) error = %v; want accepted = %v", agentID, err, valid)
		}
		if err != nil {
			return
		}
		env, got, err := c.DecryptMessage(sig, ts, nonce, body)
		if err != nil || !bytes.Equal(got, msg) || env.AgentID != agentID || env.ToUserName != c.ReceiverID() {
			t.Fatalf("DecryptMessage(EncryptCallback(agentID %q)) = %+v, %q, %v", agentID, env, got, err)
		}
	})
}
