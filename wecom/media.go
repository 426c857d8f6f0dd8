package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MediaService uploads temporary media (上传临时素材, DOC/90253): files, images, voice and video that messages
// then name by media_id.
type MediaService service

// MediaType is media/upload's type parameter.
type MediaType string

// The media types WeCom takes (DOC/90253).
const (
	MediaImage MediaType = "image"
	MediaVoice MediaType = "voice"
	MediaVideo MediaType = "video"
	MediaFile  MediaType = "file"
)

// Limits of media/upload (DOC/90253, 2024/07/22): every file must be larger than 5 bytes; image ≤10 MB
// (JPG, PNG), voice ≤2 MB (AMR, ≤60 s), video ≤10 MB (MP4), file ≤20 MB. A media_id is valid for 3 days.
const (
	MinMediaBytes  = 5 // a file must be LARGER than this
	MaxImageBytes  = 10 << 20
	MaxVoiceBytes  = 2 << 20
	MaxVideoBytes  = 10 << 20
	MaxFileBytes   = 20 << 20
	MediaValidity  = 72 * time.Hour
	MaxMediaIDLen  = 256 // WeCom's ids are about 64 characters; bounds what a message may carry
	MaxMediaName   = 255 // filename bytes; WeCom names no limit, file systems stop at 255
	mediaFieldName = "media"
)

// MaxMediaBytes returns the largest upload WeCom takes for typ, or 0 for a type it does not know.
func MaxMediaBytes(typ MediaType) int {
	switch typ {
	case MediaImage:
		return MaxImageBytes
	case MediaVoice:
		return MaxVoiceBytes
	case MediaVideo:
		return MaxVideoBytes
	case MediaFile:
		return MaxFileBytes
	}
	return 0
}

// Media is an uploaded temporary medium.
type Media struct {
	Type      MediaType
	MediaID   string
	CreatedAt time.Time // media_id expires MediaValidity after it
}

// Upload uploads data as a temporary medium named filename (the name members see on a file message). It
// refuses locally, with a *ValidationError, what WeCom would refuse: an unknown type, a size out of the type's
// bounds, an empty name or one WeCom's rules forbid (a leading "/", a "\" or ":").
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90253
//
//meta:operation POST /cgi-bin/media/upload
func (s *MediaService) Upload(ctx context.Context, typ MediaType, filename string, data []byte) (*Media, error) {
	const op = "media/upload"
	body, contentType, err := mediaForm(op, typ, filename, data)
	if err != nil {
		return nil, err
	}
	var out struct {
		Type      string          `json:"type"`
		MediaID   string          `json:"media_id"`
		CreatedAt json.RawMessage `json:"created_at"` // a string in DOC/90253's sample; a number is read too
	}
	q := url.Values{"type": {string(typ)}}
	// Uploading twice only makes a second temporary medium, so a transport error is retried.
	if err := s.client.call(ctx, &request{method: "POST", path: op, query: q, raw: body, contentType: contentType, idempotent: true}, &out); err != nil {
		return nil, err
	}
	if out.MediaID == "" {
		return nil, &Error{Op: op, Msg: "response without media_id"}
	}
	at, _ := strconv.ParseInt(strings.Trim(string(out.CreatedAt), `"`), 10, 64)
	m := &Media{Type: MediaType(out.Type), MediaID: out.MediaID, CreatedAt: time.Unix(at, 0)}
	if m.Type == "" {
		m.Type = typ
	}
	return m, nil
}

// UploadReader is Upload of what r holds, read up to the type's limit: a longer stream is refused without
// reading the rest.
func (s *MediaService) UploadReader(ctx context.Context, typ MediaType, filename string, r io.Reader) (*Media, error) {
	max := MaxMediaBytes(typ)
	if max == 0 {
		return nil, invalid("media/upload", "type", fmt.Sprintf("%q is not one of image, voice, video, file", typ))
	}
	data, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("wecom media/upload: read %s: %w", filename, err)
	}
	return s.Upload(ctx, typ, filename, data)
}

// mediaForm checks an upload and builds its multipart body: one part named "media" whose
// Content-Disposition carries filename and filelength, as DOC/90253's sample does.
func mediaForm(op string, typ MediaType, filename string, data []byte) ([]byte, string, error) {
	max := MaxMediaBytes(typ)
	switch {
	case max == 0:
		return nil, "", invalid(op, "type", fmt.Sprintf("%q is not one of image, voice, video, file", typ))
	case len(data) <= MinMediaBytes:
		return nil, "", invalid(op, "media", fmt.Sprintf("%d bytes; WeCom takes files larger than %d bytes", len(data), MinMediaBytes))
	case len(data) > max:
		return nil, "", invalid(op, "media", fmt.Sprintf("%d bytes, over WeCom's %d MB for type %s", len(data), max>>20, typ))
	}
	if err := checkMediaName(op, filename); err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	buf.Grow(len(data) + 512)
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"; filelength=%d`,
		mediaFieldName, filename, len(data))) // checkMediaName refused quotes and backslashes
	h.Set("Content-Type", "application/octet-stream")
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(data); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// checkMediaName applies the filename rules WeCom states (DOC/99310: no leading "/", no "\" or ":"), plus
// what keeps the header well formed: valid UTF-8, no control characters, a bounded length.
func checkMediaName(op, name string) error {
	switch {
	case name == "":
		return invalid(op, "filename", "required")
	case len(name) > MaxMediaName:
		return invalid(op, "filename", fmt.Sprintf("%d bytes, at most %d", len(name), MaxMediaName))
	case !utf8.ValidString(name):
		return invalid(op, "filename", "not UTF-8")
	case strings.HasPrefix(name, "/"):
		return invalid(op, "filename", "must not start with /")
	case strings.ContainsAny(name, `\:"`):
		return invalid(op, "filename", `must not contain \, : or "`)
	case strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return invalid(op, "filename", "must not contain control characters")
	}
	return nil
}
