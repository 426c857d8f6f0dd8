package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/db"
)

// memStore is an in-memory commands.Store for benchmarks: no conversation pending, no intents.
type memStore struct{}

func (memStore) GetConversation(context.Context, string) (*db.Conversation, error) { return nil, nil }
func (memStore) BeginIntent(context.Context, *db.Intent) (*db.Intent, error)       { return nil, nil }

func benchEngine(b *testing.B) *commands.Engine {
	r := commands.NewRegistry()
	r.Register(commands.Builtins(r, nil, nil)...)
	if err := r.Err(); err != nil {
		b.Fatal(err)
	}
	acc, err := access.New([]string{"zhangsan"}, nil, nil, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return &commands.Engine{Registry: r, Access: acc, Store: memStore{}}
}

// BenchmarkParseDispatch is one message through the engine: normalise, split, match, permission check, run,
// reply — everything but the database and WeCom.
func BenchmarkParseDispatch(b *testing.B) {
	for _, line := range []string{"/ping", "/help whoami", "/hepl"} {
		b.Run(line, func(b *testing.B) {
			e := benchEngine(b)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				out, err := e.Handle(ctx, commands.Message{From: "zhangsan", Text: line, InboxID: 1})
				if err != nil || len(out.Replies) != 1 {
					b.Fatalf("Handle(%q) = %v, %v", line, out, err)
				}
			}
		})
	}
}

// BenchmarkParse is the parser alone on a realistic admin command.
func BenchmarkParse(b *testing.B) {
	r := testRegistry(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Parse("/oplog member --user lisi --since 3d --all"); err != nil {
			b.Fatal(err)
		}
	}
}
