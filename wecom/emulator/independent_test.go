package emulator_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// TestCallbacks_independentlyVerifiable receives the emulator's callbacks with a second WXBizMsgCrypt
// implementation, written here from the published algorithm and using the openssl command for AES, so that
// the emulator is not only compatible with our own wecom.Crypter.
func TestCallbacks_independentlyVerifiable(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	const token, key = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C" // V1's credentials
	const corp = "wx5823bf96d3bd56c7"
	aesKey, err := base64.StdEncoding.DecodeString(key + "=")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 4)
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var env struct {
			ToUserName string `xml:"ToUserName"`
			Encrypt    string `xml:"Encrypt"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := xml.Unmarshal(body, &env); err != nil {
			t.Errorf("envelope: %v", err)
			http.Error(w, "bad", 400)
			return
		}
		parts := []string{token, q.Get("timestamp"), q.Get("nonce"), env.Encrypt}
		sort.Strings(parts)
		sum := sha1.Sum([]byte(strings.Join(parts, "")))
		if hex.EncodeToString(sum[:]) != q.Get("msg_signature") {
			t.Errorf("signature does not verify independently")
		}
		ct, err := base64.StdEncoding.DecodeString(env.Encrypt)
		if err != nil {
			t.Errorf("base64: %v", err)
			return
		}
		cmd := exec.Command("openssl", "enc", "-d", "-aes-256-cbc", "-nopad",
			"-K", hex.EncodeToString(aesKey), "-iv", hex.EncodeToString(aesKey[:16]))
		cmd.Stdin = bytes.NewReader(ct)
		plain, err := cmd.Output()
		if err != nil {
			t.Errorf("openssl: %v", err)
			return
		}
		pad := int(plain[len(plain)-1])
		if pad < 1 || pad > 32 {
			t.Errorf("pad %d outside 1..32", pad)
			return
		}
		plain = plain[:len(plain)-pad]
		n := binary.BigEndian.Uint32(plain[16:20])
		msg, recv := plain[20:20+n], string(plain[20+n:])
		if recv != corp || env.ToUserName != corp {
			t.Errorf("receiveid %q, ToUserName %q; want %q", recv, env.ToUserName, corp)
		}
		got <- string(msg)
	}))
	defer bot.Close()
	emu := wecomtest.NewServer(t, emulator.Options{CorpID: corp, Token: token, EncodingAESKey: key, CallbackURL: bot.URL})
	for _, m := range [][]byte{
		emu.TextMessage("lisi", "你好 <b>&amp; ]]> edge", 42, emu.Options().Now()),
		emu.Event("sys", "security", map[string]string{"ChangeType": "change_domain_ip"}),
	} {
		res, err := emu.Deliver(t.Context(), m)
		if err != nil || res.Status != 200 {
			t.Fatalf("Deliver = %+v, %v", res, err)
		}
		if plain := <-got; plain != string(m) {
			t.Fatalf("independently decrypted %q; want %q", plain, m)
		}
	}
}
