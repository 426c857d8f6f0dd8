package wecom

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIDConvertConvertTmpExternalUserIDs(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.6 (DOC/98729).
	handle(t, mux, "idconvert/convert_tmp_external_userid", "POST",
		`{"business_type":1,"user_type":1,"tmp_external_userid_list":["ouXXX1","ouXXX2","ouXXX3"]}`, nil,
		`{"errcode":0,"errmsg":"ok","results":[{"tmp_external_userid":"ouXXX1","external_userid":"wmXXX1"},
		  {"tmp_external_userid":"ouXXX2","corpid":"CORPID","userid":"USERID"}],
		  "invalid_tmp_external_userid_list":["ouXXX3"]}`)
	got, err := c.IDConvert.ConvertTmpExternalUserIDs(t.Context(), TmpIDMeeting, TmpIDCustomer,
		[]string{"ouXXX1", "ouXXX2", "ouXXX3"})
	if err != nil {
		t.Fatal(err)
	}
	want := &TmpIDConversion{
		Results: []TmpIDResult{{TmpExternalUserID: "ouXXX1", ExternalUserID: "wmXXX1"},
			{TmpExternalUserID: "ouXXX2", CorpID: "CORPID", UserID: "USERID"}},
		Invalid: []string{"ouXXX3"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ConvertTmpExternalUserIDs mismatch (-want +got):\n%s", diff)
	}
}

func TestIDConvert_validation(t *testing.T) {
	t.Parallel()
	conv := func(b, u int, ids []string) func(c *Client) error {
		return func(c *Client) error {
			_, err := c.IDConvert.ConvertTmpExternalUserIDs(t.Context(), b, u, ids)
			return err
		}
	}
	runValidation(t, "idconvert/convert_tmp_external_userid", []validationCase{
		{"business type 0", "business_type", conv(0, 1, []string{"x"})},
		{"business type 4", "business_type", conv(4, 1, []string{"x"})},
		{"user type 5", "user_type", conv(1, 5, []string{"x"})},
		{"none", "tmp_external_userid_list", conv(1, 1, nil)},
		{"101", "tmp_external_userid_list", conv(1, 1, make([]string, 101))},
	})
}

func TestBatchOpenUserIDToUserID(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.6 (DOC/95884).
	handle(t, mux, "batch/openuserid_to_userid", "POST", `{"open_userid_list":["xxx","yyy"],"source_agentid":100001}`, nil,
		`{"errcode":0,"errmsg":"ok","userid_list":[{"open_userid":"xxx","userid":"aaa"}],"invalid_open_userid_list":["yyy"]}`)
	got, err := c.Batch.OpenUserIDToUserID(t.Context(), []string{"xxx", "yyy"}, 100001)
	if err != nil {
		t.Fatal(err)
	}
	want := &OpenUserIDConversion{UserIDs: []OpenUserIDMapping{{OpenUserID: "xxx", UserID: "aaa"}},
		InvalidOpenUserIDs: []string{"yyy"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OpenUserIDToUserID mismatch (-want +got):\n%s", diff)
	}
}

func TestBatch_validation(t *testing.T) {
	t.Parallel()
	conv := func(ids []string, agent int) func(c *Client) error {
		return func(c *Client) error { _, err := c.Batch.OpenUserIDToUserID(t.Context(), ids, agent); return err }
	}
	runValidation(t, "batch/openuserid_to_userid", []validationCase{
		{"none", "open_userid_list", conv(nil, 1)},
		{"1001", "open_userid_list", conv(make([]string, 1001), 1)},
		{"no agent", "source_agentid", conv([]string{"x"}, 0)},
	})
}
