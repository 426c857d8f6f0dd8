package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// upload posts a multipart form to media/upload by hand, with the part header written as given
// (disposition "": WeCom's own sample's, with filelength).
func upload(t *testing.T, ts *wecomtest.Server, token, typ, name, disposition string, data []byte) result {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if disposition == "" {
		disposition = fmt.Sprintf(`form-data; name="media";filename="%s"; filelength=%d`, name, len(data))
	}
	h := textproto.MIMEHeader{"Content-Disposition": {disposition}, "Content-Type": {"application/octet-stream"}}
	part, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data)
	w.Close()
	return postForm(t, ts, token, typ, w.FormDataContentType(), buf.Bytes())
}

func postForm(t *testing.T, ts *wecomtest.Server, token, typ, contentType string, body []byte) result {
	t.Helper()
	q := url.Values{"access_token": {token}, "type": {typ}}
	resp, err := http.Post(ts.URL+"/cgi-bin/media/upload?"+q.Encode(), contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out result
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func fileMsg(to, mediaID string) map[string]any {
	return map[string]any{"touser": to, "msgtype": "file", "agentid": testAgentID, "file": map[string]any{"media_id": mediaID}}
}

func TestMediaUploadKeepsTheFileAndFileMessagesNameIt(t *testing.T) {
	clk := newClock()
	opts := testOptions()
	opts.Now = clk.Now
	ts, tok := emu(t, opts)
	data := []byte("\xEF\xBB\xBFtime,userid\n2025-03-01,lisi\n")
	r := upload(t, ts, tok, "file", "oplog-member.csv", "", data)
	wantCode(t, r, 0)
	id := r.str("media_id")
	if id == "" || r.str("type") != "file" || r.str("created_at") != fmt.Sprint(clk.Now().Unix()) {
		t.Fatalf("answer = %v; want type file, a media_id and created_at %d as a string (DOC/90253)", r, clk.Now().Unix())
	}
	got, name, ok := ts.Media(id)
	if !ok || !bytes.Equal(got, data) || name != "oplog-member.csv" {
		t.Fatalf("Media(%s) = %q, %q, %v; want the uploaded bytes and name", id, got, name, ok)
	}
	if u, _ := ts.Upload(id); u.FileLength != int64(len(data)) || u.Type != "file" {
		t.Fatalf("Upload = %+v; want filelength %d recorded", u, len(data))
	}

	wantCode(t, call(t, ts, "POST", "message/send", tok, fileMsg("lisi", id)), 0)
	var sent *emulator.SentMessage
	for _, m := range ts.Delivered("lisi") {
		if m.MsgType == "file" {
			sent = &m
		}
	}
	if sent == nil || sent.MediaID != id || sent.FileName != "oplog-member.csv" {
		t.Fatalf("delivered file message = %+v; want media_id %s and its filename", sent, id)
	}

	// Unknown media_id: 40007. Expired (3 days on the emulator's clock): 40007, and the bytes are gone.
	wantCode(t, call(t, ts, "POST", "message/send", tok, fileMsg("lisi", "3nosuchmedia")), 40007)
	clk.Advance(72*time.Hour - time.Second)
	tok = ts.AccessToken(t)
	wantCode(t, call(t, ts, "POST", "message/send", tok, fileMsg("lisi", id)), 0)
	clk.Advance(time.Second)
	tok = ts.AccessToken(t)
	wantCode(t, call(t, ts, "POST", "message/send", tok, fileMsg("lisi", id)), 40007)
	if _, _, ok := ts.Media(id); ok {
		t.Fatal("Media still answers an expired media_id")
	}
	wantCode(t, call(t, ts, "POST", "message/send", tok, fileMsg("lisi", "")), 41006)
}

func TestMediaUploadRefusals(t *testing.T) {
	ts, tok := emu(t, testOptions())
	six := []byte("abcdef")
	cases := []struct {
		name     string
		typ      string
		filename string
		data     []byte
		disp     string
		code     int
	}{
		{"type missing", "", "a.txt", six, "", 40005},
		{"type unknown", "document", "a.txt", six, "", 40005},
		{"5 bytes is too small", "file", "a.txt", []byte("abcde"), "", 40006},
		{"empty file", "file", "a.txt", nil, `form-data; name="media"; filename="a.txt"`, 44001},
		{"file over 20 MB", "file", "a.bin", make([]byte, 20<<20+1), "", 40006},
		{"image over 10 MB", "image", "a.png", make([]byte, 10<<20+1), "", 40006},
		{"voice over 2 MB", "voice", "a.amr", make([]byte, 2<<20+1), "", 40006},
		{"image not jpg or png", "image", "a.gif", six, "", 40004},
		{"video not mp4", "video", "a.avi", six, "", 40004},
		{"filelength wrong", "file", "a.txt", six, `form-data; name="media"; filename="a.txt"; filelength=7`, 40006},
		{"part not named media", "file", "a.txt", six, `form-data; name="file"; filename="a.txt"`, 44001},
		{"no filename", "file", "", six, `form-data; name="media"`, 40058},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, upload(t, ts, tok, c.typ, c.filename, c.disp, c.data), c.code)
		})
	}
	// Exactly the limits pass: 20 MB for a file, 6 bytes, and no filelength at all (curl -F sends none).
	wantCode(t, upload(t, ts, tok, "file", "big.bin", "", make([]byte, 20<<20)), 0)
	wantCode(t, upload(t, ts, tok, "file", "a.txt", `form-data; name="media"; filename="a.txt"`, six), 0)
	wantCode(t, upload(t, ts, tok, "image", "a.PNG", "", six), 0)
	// Not multipart at all; a body far over the limit is cut and answered 40006, not read whole.
	wantCode(t, postForm(t, ts, tok, "file", "application/json", []byte(`{"media":"x"}`)), 44001)
	wantCode(t, postForm(t, ts, tok, "file", "multipart/form-data; boundary=x", make([]byte, 21<<20)), 40006)
	// A token is needed like everywhere else.
	wantCode(t, upload(t, ts, "bad-token", "file", "a.txt", "", six), 40014)
}

func TestControlMedia(t *testing.T) {
	ts, tok := emu(t, testOptions())
	data := []byte("a,b\r\n1,2\r\n")
	r := upload(t, ts, tok, "file", "x.csv", "", data)
	wantCode(t, r, 0)
	resp, err := http.Get(ts.URL + "/_emulator/media?id=" + url.QueryEscape(r.str("media_id")))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Name string `json:"name"`
		Size int    `json:"size"`
		Data []byte `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	if got.Name != "x.csv" || got.Size != len(data) || !bytes.Equal(got.Data, data) {
		t.Fatalf("control media = %+v", got)
	}
	if resp, err := http.Get(ts.URL + "/_emulator/media?id=nope"); err != nil || resp.StatusCode != 404 {
		t.Fatalf("unknown id: %v %v; want 404", resp.StatusCode, err)
	}
}
