package wecom

import (
	"bytes"
	"unicode/utf8"
)

// A fast path for the flat XML WeCom sends: <xml> with child elements holding text or one CDATA section.
// encoding/xml costs ~16 µs and ~50 allocations for a callback envelope, most of the CPU a callback needs.
//
// scanFlat accepts only a strict subset of XML on which its reading provably equals encoding/xml's: element
// names of [A-Za-z0-9_], no attributes, no nesting, no comments or processing instructions, no entities
// ('&'), no '\r' (encoding/xml normalises line ends), no control characters, valid UTF-8, and each name at
// most once. Anything else makes it return false and the caller uses encoding/xml. FuzzFlatXML checks the
// equivalence.

// scanFlat calls fn for each child of the <xml> root. It returns false when b is outside the subset.
func scanFlat(b []byte, fn func(name, value []byte)) bool {
	b = trimXMLSpace(b)
	rest, ok := bytes.CutPrefix(b, []byte("<xml>"))
	if !ok {
		return false
	}
	rest, ok = bytes.CutSuffix(rest, []byte("</xml>"))
	if !ok {
		return false
	}
	var seen [16][]byte // names seen; WeCom messages have fewer than 16 fields
	n := 0
	for {
		rest = trimXMLSpace(rest)
		if len(rest) == 0 {
			return true
		}
		if rest[0] != '<' {
			return false // text directly under <xml>
		}
		end := bytes.IndexByte(rest, '>')
		if end < 2 {
			return false
		}
		name := rest[1:end]
		if !isXMLName(name) {
			return false
		}
		for _, s := range seen[:n] {
			if bytes.Equal(s, name) {
				return false
			}
		}
		if n == len(seen) {
			return false
		}
		seen[n] = name
		n++
		rest = rest[end+1:]
		var value []byte
		if v, ok := bytes.CutPrefix(rest, []byte("<![CDATA[")); ok {
			i := bytes.Index(v, []byte("]]>"))
			if i < 0 {
				return false
			}
			value, rest = v[:i], v[i+3:]
		} else {
			i := bytes.IndexByte(rest, '<')
			if i < 0 {
				return false
			}
			value, rest = rest[:i], rest[i:]
			if bytes.IndexByte(value, '&') >= 0 || bytes.IndexByte(value, '>') >= 0 {
				return false
			}
		}
		if !plainText(value) {
			return false
		}
		// The closing tag must follow at once: no mixed content, no second CDATA section.
		if len(rest) < len(name)+3 || rest[0] != '<' || rest[1] != '/' || !bytes.Equal(rest[2:2+len(name)], name) ||
			rest[2+len(name)] != '>' {
			return false
		}
		rest = rest[len(name)+3:]
		fn(name, value)
	}
}

func isXMLName(b []byte) bool {
	if len(b) == 0 || len(b) > 64 || ('0' <= b[0] && b[0] <= '9') {
		return false
	}
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// plainText reports whether encoding/xml would read v unchanged: valid UTF-8 without '\r' or other control
// characters except tab and newline, and without the non-characters XML forbids.
func plainText(v []byte) bool {
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(v[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
			return false
		}
		i += size
	}
	return true
}

func trimXMLSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}
