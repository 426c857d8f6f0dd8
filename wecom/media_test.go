package wecom_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// The client's multipart form, checked by the emulator as WeCom checks it: the part "media" with filename
// and filelength, the bytes intact, and a file message that names the media_id delivered.
func TestEmulated_mediaUploadAndFileMessage(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c, emu := newEmulated(t, emulator.Options{Now: func() time.Time { return at }})
	data := []byte("\xEF\xBB\xBF时间,成员\n2026-12-01 09:00,lisi\n")
	m, err := c.Media.Upload(t.Context(), wecom.MediaFile, "oplog-member 成员.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != wecom.MediaFile || m.MediaID == "" || !m.CreatedAt.Equal(at) {
		t.Fatalf("Upload = %+v; want type file, a media_id, created_at %v", m, at)
	}
	u, ok := emu.Upload(m.MediaID)
	switch {
	case !ok:
		t.Fatal("the emulator kept no upload under the media_id returned")
	case !bytes.Equal(u.Data, data) || u.Name != "oplog-member 成员.csv":
		t.Fatalf("emulator has %q named %q; want the bytes and name sent", u.Data, u.Name)
	case u.FileLength != int64(len(data)):
		t.Fatalf("filelength = %d; want %d in the Content-Disposition (DOC/90253)", u.FileLength, len(data))
	case u.PartType != "application/octet-stream":
		t.Fatalf("part Content-Type = %q", u.PartType)
	}
	if _, err := c.Message.Send(t.Context(), wecom.NewFile(m.MediaID, "lisi")); err != nil {
		t.Fatal(err)
	}
	got := emu.Delivered("lisi")
	if last := got[len(got)-1]; last.MsgType != "file" || last.MediaID != m.MediaID || last.FileName != u.Name {
		t.Fatalf("delivered %+v; want the file message", last)
	}
	// An unknown media_id is WeCom's 40007, typed.
	_, err = c.Message.Send(t.Context(), wecom.NewFile("3unknown", "lisi"))
	if !wecom.IsCode(err, 40007) {
		t.Fatalf("unknown media_id: %v; want errcode 40007", err)
	}
}

// What WeCom would refuse is refused before anything is sent.
func TestMediaUpload_validation(t *testing.T) {
	t.Parallel()
	c, emu := newEmulated(t, emulator.Options{})
	ok := []byte("abcdef")
	cases := []struct {
		name, file string
		typ        wecom.MediaType
		data       []byte
		field      string
	}{
		{"unknown type", "a.txt", "doc", ok, "type"},
		{"5 bytes", "a.txt", wecom.MediaFile, []byte("abcde"), "media"},
		{"over 20 MB", "a.bin", wecom.MediaFile, make([]byte, wecom.MaxFileBytes+1), "media"},
		{"voice over 2 MB", "a.amr", wecom.MediaVoice, make([]byte, wecom.MaxVoiceBytes+1), "media"},
		{"no name", "", wecom.MediaFile, ok, "filename"},
		{"leading slash", "/etc/a.txt", wecom.MediaFile, ok, "filename"},
		{"colon", "c:a.txt", wecom.MediaFile, ok, "filename"},
		{"quote", `a".txt`, wecom.MediaFile, ok, "filename"},
		{"newline", "a\r\n.txt", wecom.MediaFile, ok, "filename"},
		{"long name", strings.Repeat("a", 256), wecom.MediaFile, ok, "filename"},
	}
	for _, tc := range cases {
		_, err := c.Media.Upload(t.Context(), tc.typ, tc.file, tc.data)
		var ve *wecom.ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: %v; want a ValidationError on %s", tc.name, err, tc.field)
		}
	}
	if _, err := c.Media.UploadReader(t.Context(), wecom.MediaFile, "a.bin", bytes.NewReader(make([]byte, wecom.MaxFileBytes+10))); err == nil {
		t.Error("UploadReader of 20 MB + 10 bytes was not refused")
	}
	for _, id := range []string{"", "has space", strings.Repeat("x", wecom.MaxMediaIDLen+1), "中文"} {
		if _, err := c.Message.Send(t.Context(), wecom.NewFile(id, "lisi")); err == nil {
			t.Errorf("file message with media_id %q was not refused", id)
		}
	}
	if n := len(emu.CallsTo("media/upload")) + len(emu.CallsTo("message/send")); n != 0 {
		t.Fatalf("%d calls reached the emulator; want none", n)
	}
}
