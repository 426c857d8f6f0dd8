package callbacks

import (
	"net/http"
	"os"
	"regexp"
	"slices"
	"testing"
)

// TestRejectionLabels: every reason the handler rejects a request with has its own label in
// RejectionReasons, so a new rejection added without a label shows here instead of reading "internal".
func TestRejectionLabels(t *testing.T) {
	src, err := os.ReadFile("handler.go")
	if err != nil {
		t.Fatal(err)
	}
	reasons := regexp.MustCompile(`fail\(http\.Status\w+, "([^"]+)"`).FindAllSubmatch(src, -1)
	if len(reasons) < 8 {
		t.Fatalf("found %d rejection reasons in handler.go; the pattern no longer matches the code", len(reasons))
	}
	for _, r := range reasons {
		label := rejectionLabel(fail(http.StatusBadRequest, string(r[1]), nil))
		if label == "internal" || !slices.Contains(RejectionReasons, label) {
			t.Errorf("reason %q reads %q; give it a label in rejectionLabel and RejectionReasons", r[1], label)
		}
	}
	if got := rejectionLabel(errNotStored); got != "not_stored" {
		t.Errorf("errNotStored reads %q; want not_stored", got)
	}
}
