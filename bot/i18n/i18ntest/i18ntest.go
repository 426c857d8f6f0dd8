// Package i18ntest is for tests that read the bot in Chinese: what a Chinese reply may not hold.
package i18ntest

import "regexp"

var (
	// notProse is what stays as written in any language: code spans, URLs, markup tags, command lines with
	// their placeholders and flags, and identifiers (userids, device codes, ids, times).
	notProse = regexp.MustCompile("`[^`]*`|https?://\\S+|<[^>]+>|" +
		`/[a-z]+(?: [a-z-]+)*(?: (?:ID|REASON|USERID|CODE|--[a-z-]+(?: [A-Z_]+)?))*|--[a-z-]+|\S*[_@.:0-9]\S*`)
	// englishRun is four or more English words in a row.
	englishRun = regexp.MustCompile(`[A-Za-z][A-Za-z'’-]*(?:[ ,:;()]+[A-Za-z][A-Za-z'’-]*){3,}`)
)

// EnglishLeft returns the English sentences left in s, a reply read in Chinese: runs of four or more English
// words outside what stays as written.
func EnglishLeft(s string) []string {
	return englishRun.FindAllString(notProse.ReplaceAllString(s, " "), -1)
}
