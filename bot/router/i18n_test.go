package router_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/router"
	"github.com/wecombot/wecombot/db"
)

// TestHandle_chinese: a picture from a member who reads Chinese is answered in Chinese; in English as before.
func TestHandle_chinese(t *testing.T) {
	t.Parallel()
	for lang, want := range map[i18n.Lang]string{i18n.Zh: "我只能读取文字命令", i18n.En: "I read text commands only"} {
		d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		r := &router.Router{Encoder: client(t).Message, Langs: &i18n.Members{Default: lang}}
		it := &db.InboxItem{ID: 1, Kind: "image", Payload: []byte(`<xml><ToUserName>ww1</ToUserName><FromUserName><![CDATA[lisi]]></FromUserName>` +
			`<CreateTime>1</CreateTime><MsgType>image</MsgType><PicUrl>u</PicUrl><MsgId>5</MsgId></xml>`)}
		eff, err := r.Handle(t.Context(), it)
		if err != nil || eff == nil {
			t.Fatalf("Handle = %v", err)
		}
		if err := d.Tx(t.Context(), func(ctx context.Context, tx *db.Tx) error { return eff(ctx, tx) }); err != nil {
			t.Fatal(err)
		}
		rows, err := d.ClaimOutbox(t.Context(), 10)
		if err != nil || len(rows) != 1 {
			t.Fatalf("outbox = %d rows, %v", len(rows), err)
		}
		var b body
		json.Unmarshal(rows[0].Body, &b)
		if got := b.Markdown.Content + b.Text.Content; !strings.Contains(got, want) {
			t.Errorf("%s reply = %q; want %q", lang, got, want)
		}
	}
}
