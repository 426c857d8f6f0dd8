package replies

import (
	"fmt"
	"strings"

	"github.com/wecombot/wecombot/bot/i18n"
)

// Builder assembles a CommonMark reply block by block — a heading, paragraphs, list items — with the blank
// lines CommonMark needs between blocks, so replies are not hand-built with newlines. Format strings are
// markup, as with fmt: escape text arguments yourself (Escape, Code). Formats are message ids: a Builder made
// by NewBuilder writes them in its printer's language; the zero Builder writes English.
type Builder struct {
	P        *i18n.Printer
	blocks   []string
	items    []string
	numbered bool // the current list is numbered
}

// NewBuilder returns a Builder writing in p's language.
func NewBuilder(p *i18n.Printer) *Builder { return &Builder{P: p} }

// f translates format and formats it.
func (b *Builder) f(format string, args []any) string { return fmt.Sprintf(b.P.T(format), args...) }

// Heading adds a level-2 heading.
func (b *Builder) Heading(format string, args ...any) *Builder {
	return b.block("## " + b.f(format, args))
}

// Para adds a paragraph.
func (b *Builder) Para(format string, args ...any) *Builder {
	return b.block(b.f(format, args))
}

// Item adds an item to the current bullet list (a heading or paragraph after it ends the list).
func (b *Builder) Item(format string, args ...any) *Builder {
	if b.numbered {
		b.flush()
	}
	b.items = append(b.items, "- "+b.f(format, args))
	return b
}

// Numbered adds the next item to the current numbered list.
func (b *Builder) Numbered(format string, args ...any) *Builder {
	if len(b.items) > 0 && !b.numbered {
		b.flush()
	}
	b.numbered = true
	b.items = append(b.items, fmt.Sprintf("%d. ", len(b.items)+1)+b.f(format, args))
	return b
}

func (b *Builder) block(s string) *Builder {
	b.flush()
	if s != "" {
		b.blocks = append(b.blocks, s)
	}
	return b
}

func (b *Builder) flush() {
	if len(b.items) > 0 {
		b.blocks = append(b.blocks, strings.Join(b.items, "\n"))
		b.items, b.numbered = nil, false
	}
}

// String returns the CommonMark so far.
func (b *Builder) String() string {
	b.flush()
	return strings.Join(b.blocks, "\n\n")
}

// Reply returns the reply.
func (b *Builder) Reply() *Reply { return &Reply{Markdown: b.String()} }
