package wecom_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// These tests check the package against a second implementation: the
// openssl command line tool does the AES, the base64 of the key and the
// SHA-1, and the plaintext layout is taken apart by hand here. They catch
// mistakes that a round trip through the package itself cannot (the same
// wrong padding or IV on both sides).

func runOpenSSL(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

func needOpenSSL(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not on PATH")
	}
}

// opensslKey returns the AES key and IV as hex, decoded by openssl.
func opensslKey(t *testing.T, encodingAESKey string) (keyHex, ivHex string) {
	t.Helper()
	key := runOpenSSL(t, []byte(encodingAESKey+"="), "base64", "-d", "-A")
	if len(key) != 32 {
		t.Fatalf("openssl decoded the EncodingAESKey to %d bytes; want 32", len(key))
	}
	keyHex = hex.EncodeToString(key)
	return keyHex, keyHex[:32]
}

// opensslSignature computes sha1(sort(parts) joined) with openssl.
func opensslSignature(t *testing.T, parts ...string) string {
	t.Helper()
	parts = slices.Clone(parts)
	slices.Sort(parts)
	out := runOpenSSL(t, []byte(strings.Join(parts, "")), "dgst", "-sha1", "-r")
	sig, _, _ := strings.Cut(string(out), " ")
	return sig
}

// openByHand takes a decrypted plaintext apart:
// random(16) ‖ be32(len) ‖ msg ‖ receiveid ‖ PKCS#7 padding to 32.
func openByHand(t *testing.T, p []byte, receiverID string) (prefix, msg []byte) {
	t.Helper()
	if len(p) == 0 || len(p)%32 != 0 {
		t.Fatalf("plaintext is %d bytes; want a non-zero multiple of 32", len(p))
	}
	pad := int(p[len(p)-1])
	if pad < 1 || pad > 32 {
		t.Fatalf("pad value %d; want 1..32", pad)
	}
	for i, b := range p[len(p)-pad:] {
		if int(b) != pad {
			t.Fatalf("pad byte %d is %d; want %d", i, b, pad)
		}
	}
	p = p[:len(p)-pad]
	if len(p) < 20 {
		t.Fatalf("unpadded plaintext is %d bytes; want ≥ 20", len(p))
	}
	n := int(p[16])<<24 | int(p[17])<<16 | int(p[18])<<8 | int(p[19])
	if 20+n > len(p) {
		t.Fatalf("length field %d exceeds the %d bytes left", n, len(p)-20)
	}
	if rid := string(p[20+n:]); rid != receiverID {
		t.Fatalf("receiveid = %q; want %q", rid, receiverID)
	}
	return p[:16], p[20 : 20+n]
}

// xmlBetween returns the text between before and after in s.
func xmlBetween(t *testing.T, s, before, after string) string {
	t.Helper()
	_, rest, ok1 := strings.Cut(s, before)
	v, _, ok2 := strings.Cut(rest, after)
	if !ok1 || !ok2 {
		t.Fatalf("%q…%q not found in %q", before, after, s)
	}
	return v
}

func TestCrypter_OpenSSLDecryptsOurs(t *testing.T) {
	needOpenSSL(t)
	t.Parallel()
	msgs := roundTripMessages()
	delete(msgs, "64 KiB")
	delete(msgs, "large text")
	for _, cr := range []cryptoCreds{credsGO, credsPY, credsWP, {credsWP.token, credsWP.key, ""}} {
		keyHex, ivHex := opensslKey(t, cr.key)
		c := newCrypter(t, cr)
		decrypt := func(t *testing.T, enc string) (prefix, msg []byte) {
			t.Helper()
			ct, err := base64.StdEncoding.DecodeString(enc)
			if err != nil {
				t.Fatalf("ciphertext is not standard base64: %v", err)
			}
			p := runOpenSSL(t, ct, "enc", "-d", "-aes-256-cbc", "-K", keyHex, "-iv", ivHex, "-nopad")
			return openByHand(t, p, cr.receiverID)
		}
		for name, msg := range msgs {
			t.Run(cr.token+"/"+name, func(t *testing.T) {
				enc, err := c.Encrypt(msg)
				if err != nil {
					t.Fatal(err)
				}
				prefix, got := decrypt(t, enc)
				if !bytes.Equal(got, msg) {
					t.Errorf("openssl decrypted Encrypt(%.40q) to %.40q", msg, got)
				}
				enc2, _ := c.Encrypt(msg)
				if prefix2, _ := decrypt(t, enc2); bytes.Equal(prefix, prefix2) {
					t.Errorf("two encryptions share the random prefix %x", prefix)
				}

				const ts, nonce = "1700000001", "583920174"
				body, sig, err := c.EncryptCallback(msg, ts, nonce, "1000002")
				if err != nil {
					t.Fatal(err)
				}
				enc = xmlBetween(t, string(body), "<Encrypt><![CDATA[", "]]></Encrypt>")
				if want := opensslSignature(t, cr.token, ts, nonce, enc); sig != want {
					t.Errorf("EncryptCallback signature = %s; openssl says %s", sig, want)
				}
				if to := xmlBetween(t, string(body), "<ToUserName><![CDATA[", "]]></ToUserName>"); to != cr.receiverID {
					t.Errorf("ToUserName = %q; want %q", to, cr.receiverID)
				}
				if _, got := decrypt(t, enc); !bytes.Equal(got, msg) {
					t.Errorf("openssl decrypted EncryptCallback(%.40q) to %.40q", msg, got)
				}

				reply, err := c.EncryptReply(msg, ts, nonce)
				if err != nil {
					t.Fatal(err)
				}
				enc = xmlBetween(t, string(reply), "<Encrypt><![CDATA[", "]]></Encrypt>")
				sig = xmlBetween(t, string(reply), "<MsgSignature><![CDATA[", "]]></MsgSignature>")
				if want := opensslSignature(t, cr.token, ts, nonce, enc); sig != want {
					t.Errorf("EncryptReply signature = %s; openssl says %s", sig, want)
				}
				if _, got := decrypt(t, enc); !bytes.Equal(got, msg) {
					t.Errorf("openssl decrypted EncryptReply(%.40q) to %.40q", msg, got)
				}
			})
		}
	}
}

// TestCrypter_OpenSSLEncryptsForUs goes the other way: a message laid out by
// hand and encrypted by openssl must decrypt with the package.
func TestCrypter_OpenSSLEncryptsForUs(t *testing.T) {
	needOpenSSL(t)
	t.Parallel()
	for _, cr := range []cryptoCreds{credsGO, credsPY, credsWP} {
		keyHex, ivHex := opensslKey(t, cr.key)
		c := newCrypter(t, cr)
		for name, msg := range roundTripMessages() {
			p := make([]byte, 16, 20+len(msg)+len(cr.receiverID)+32)
			rand.Read(p)
			n := len(msg)
			p = append(p, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
			p = append(p, msg...)
			p = append(p, cr.receiverID...)
			pad := 32 - len(p)%32
			p = append(p, bytes.Repeat([]byte{byte(pad)}, pad)...)
			ct := runOpenSSL(t, p, "enc", "-e", "-aes-256-cbc", "-K", keyHex, "-iv", ivHex, "-nopad")
			enc := base64.StdEncoding.EncodeToString(ct)

			const ts, nonce = "1409659813", "1372623149"
			sig := opensslSignature(t, cr.token, ts, nonce, enc)
			got, err := c.Decrypt(sig, ts, nonce, enc)
			if err != nil || !bytes.Equal(got, msg) {
				t.Errorf("%s/%s: Decrypt(openssl ciphertext) = %.40q, %v; want %.40q", cr.token, name, got, err, msg)
			}
		}
	}
}
