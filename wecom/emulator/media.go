package emulator

// Temporary media (上传临时素材, DOC/90253, 2024/07/22): POST media/upload?type=TYPE with a multipart form
// whose part "media" carries filename, filelength and content-type. Every file must be larger than 5 bytes;
// image ≤10 MB (JPG, PNG), voice ≤2 MB (AMR), video ≤10 MB (MP4), file ≤20 MB. The media_id is valid 3 days;
// message/send refuses an unknown or expired one with 40007. The uploaded bytes are kept for tests and the
// demo (Media, Upload).

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"path"
	"strconv"
	"strings"
	"time"
)

// Media limits and errcodes (DOC/90253; DOC/90313 全局错误码).
const (
	minMediaBytes = 5 // "所有文件size必须大于5个字节"
	mediaValidity = 72 * time.Hour
	// maxUploadBody bounds a media/upload request: the largest file plus room for the form around it.
	maxUploadBody = 20<<20 + 64<<10
	// maxKeptMedia bounds the uploads kept; the oldest go first and then answer 40007 like expired ones.
	maxKeptMedia = 512

	codeInvalidMediaType = 40004 // 不合法的媒体文件类型: content the type does not allow (extension)
	codeInvalidFileType  = 40005 // 不合法的type参数 ("invalid file type"): type not image/voice/video/file
	codeInvalidFileSize  = 40006 // 不合法的文件大小
	codeInvalidMediaID   = 40007 // 不合法的media_id参数
	codeEmptyMedia       = 44001 // 多媒体文件为空: no "media" part, or an empty one
)

// mediaLimits are the largest uploads per type, and the extensions a type takes (none listed: any).
var mediaLimits = map[string]struct {
	max  int
	exts []string
}{
	"image": {10 << 20, []string{".jpg", ".jpeg", ".png"}},
	"voice": {2 << 20, []string{".amr"}},
	"video": {10 << 20, []string{".mp4"}},
	"file":  {20 << 20, nil},
}

// UploadedMedia is one media/upload the emulator accepted.
type UploadedMedia struct {
	MediaID   string
	Type      string // image, voice, video, file
	Name      string // the part's filename: what a file message shows
	Data      []byte
	CreatedAt time.Time
	// FileLength is the part's filelength parameter as sent, -1 when it was absent (curl -F sends none).
	FileLength int64
	// PartType is the part's Content-Type.
	PartType string
}

type mediaState struct {
	byID  map[string]*UploadedMedia
	order []string // upload order, for the bound
}

func (s *Server) media() *mediaState {
	if s.uploads == nil {
		s.uploads = &mediaState{byID: map[string]*UploadedMedia{}}
	}
	return s.uploads
}

func (s *Server) routesMedia() {
	s.handle("POST", "media/upload", s.mediaUpload)
}

// Media returns an upload's bytes and filename, while its media_id is valid on the emulator's clock.
func (s *Server) Media(mediaID string) (data []byte, name string, ok bool) {
	m, ok := s.Upload(mediaID)
	if !ok {
		return nil, "", false
	}
	return m.Data, m.Name, true
}

// Upload returns everything about an upload (a copy), while its media_id is valid.
func (s *Server) Upload(mediaID string) (UploadedMedia, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.validMediaLocked(mediaID)
	if m == nil {
		return UploadedMedia{}, false
	}
	c := *m
	c.Data = bytes.Clone(m.Data)
	return c, true
}

// validMediaLocked returns the upload behind mediaID, or nil when there is none or it expired.
func (s *Server) validMediaLocked(mediaID string) *UploadedMedia {
	m := s.media().byID[mediaID]
	if m == nil || !s.opts.Now().Before(m.CreatedAt.Add(mediaValidity)) {
		return nil
	}
	return m
}

// mediaUpload is POST media/upload.
func (s *Server) mediaUpload(c *apiCall) (obj, *apiError) {
	typ := c.query("type")
	lim, ok := mediaLimits[typ]
	if !ok {
		return nil, errf(codeInvalidFileType, "invalid file type: type %q is not image, voice, video or file", typ)
	}
	if c.tooLarge {
		return nil, errf(codeInvalidFileSize, "invalid file size: over %d bytes for type %s", lim.max, typ)
	}
	mt, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, errf(codeEmptyMedia, "empty media data: the body must be multipart/form-data with a boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(c.body), params["boundary"])
	var part *multipart.Part
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, errf(codeEmptyMedia, "empty media data: no form part named \"media\"")
		}
		if err != nil {
			return nil, errf(codeEmptyMedia, "empty media data: bad multipart body: %v", err)
		}
		if p.FormName() == "media" {
			part = p
			break
		}
	}
	name := part.FileName()
	if name == "" {
		return nil, errInvalidParam("the \"media\" part has no filename")
	}
	data, err := io.ReadAll(part)
	if err != nil {
		return nil, errf(codeEmptyMedia, "empty media data: reading the part: %v", err)
	}
	switch {
	case len(data) == 0:
		return nil, errf(codeEmptyMedia, "empty media data")
	case len(data) <= minMediaBytes:
		return nil, errf(codeInvalidFileSize, "invalid file size: %d bytes, a file must be larger than %d", len(data), minMediaBytes)
	case len(data) > lim.max:
		return nil, errf(codeInvalidFileSize, "invalid file size: %d bytes, over %d for type %s", len(data), lim.max, typ)
	}
	fileLength := int64(-1)
	if v := dispositionParam(part.Header.Get("Content-Disposition"), "filelength"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n != int64(len(data)) {
			return nil, errf(codeInvalidFileSize, "invalid file size: filelength %q but the part holds %d bytes", v, len(data))
		}
		fileLength = n
	}
	if lim.exts != nil {
		ext := strings.ToLower(path.Ext(name))
		okExt := false
		for _, e := range lim.exts {
			okExt = okExt || ext == e
		}
		if !okExt {
			return nil, errf(codeInvalidMediaType, "invalid media type: %q is not %s", name, strings.Join(lim.exts, ", "))
		}
	}
	now := s.opts.Now()
	m := &UploadedMedia{MediaID: newMediaID(), Type: typ, Name: name, Data: data, CreatedAt: now,
		FileLength: fileLength, PartType: part.Header.Get("Content-Type")}
	s.mu.Lock()
	st := s.media()
	for len(st.order) >= maxKeptMedia {
		delete(st.byID, st.order[0])
		st.order = st.order[1:]
	}
	st.byID[m.MediaID] = m
	st.order = append(st.order, m.MediaID)
	s.mu.Unlock()
	// DOC/90253's sample answers created_at as a string.
	return obj{"type": typ, "media_id": m.MediaID, "created_at": strconv.FormatInt(now.Unix(), 10)}, nil
}

// dispositionParam reads one parameter of a Content-Disposition header. WeCom's own sample writes
// `form-data; name="media";filename="wework.txt"; filelength=6`, which mime.ParseMediaType reads too.
func dispositionParam(h, name string) string {
	_, params, err := mime.ParseMediaType(h)
	if err != nil {
		return ""
	}
	return params[name]
}

// newMediaID makes an id shaped like WeCom's ("1G6nrLmr5EC3MMb_-zK1dDdzmd0p7cNliYu9V5w7o8K0"): 44 URL-safe
// characters.
func newMediaID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return "3" + base64.RawURLEncoding.EncodeToString(b)[:43]
}

// checkMediaLocked is message/send's check of a media message: its media_id must name an upload that has
// not expired (40007).
func (s *Server) checkMediaLocked(mediaID string) (*UploadedMedia, *apiError) {
	m := s.validMediaLocked(mediaID)
	if m == nil {
		return nil, errf(codeInvalidMediaID, "invalid media_id: %q is unknown or expired (media_id is valid 3 days)", mediaID)
	}
	return m, nil
}
