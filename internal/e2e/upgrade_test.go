package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

// TestUpgradeFromLayoutV1 opens a data directory written by Trent's first
// release. Its scheduler index names due times in whole seconds, which
// this release does not read; the upgrade at start-up rebuilds the index,
// so the key pending deletion is still deleted when its window ends and the
// rotating key still rotates when its period ends, and everything else
// (aliases, ciphertexts) works as before.
func TestUpgradeFromLayoutV1(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{server.DataFileName, server.DevRootKeyFileName, "ciphertext.bin", "keys.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", "layout-v1", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ids, _ := os.ReadFile(filepath.Join(dir, "keys.txt"))
	keyIDs := strings.Fields(string(ids))
	rotating, deleting := keyIDs[0], keyIDs[1]
	blob, _ := os.ReadFile(filepath.Join(dir, "ciphertext.bin"))

	tn := startNodeWith(t, nodeOptions{dataDir: dir, epoch: time.Date(2026, 11, 25, 12, 0, 2, 0, time.UTC)})
	c := tn.kms()
	dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob}))
	if string(dec.Plaintext) != "written by layout v1" {
		t.Fatalf("decrypted %q", dec.Plaintext)
	}
	if st := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &deleting})).KeyMetadata.KeyState; st != types.KeyStatePendingDeletion {
		t.Fatalf("key to delete is %s", st)
	}

	tn.clock.Advance(7 * sdkDay)
	tn.runDue()
	_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &deleting})
	apiError(t, err, "NotFoundException")

	tn.clock.Advance(83 * sdkDay)
	tn.runDue()
	rots := must[*kms.ListKeyRotationsOutput](t)(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &rotating})).Rotations
	if len(rots) != 1 || rots[0].RotationType != types.RotationTypeAutomatic {
		t.Fatalf("rotations after 90 days: %+v, want one automatic", rots)
	}
	d := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/rotating")})).KeyMetadata
	if *d.KeyId != rotating || *d.CurrentKeyMaterialId != *rots[0].KeyMaterialId {
		t.Fatalf("alias/rotating: key %s material %s, want %s with the new material", *d.KeyId, *d.CurrentKeyMaterialId, rotating)
	}
	tn.srv.Close()
	if err := tn.node.Close(); err != nil {
		t.Fatal(err)
	}

	// What the upgrade left: the version, and only entries it can read.
	st, err := bolt.Open(filepath.Join(dir, server.DataFileName), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View(context.Background(), func(tx store.Tx) error {
		v, err := tx.Get(layout.MetaLayout)
		if want := fmt.Sprintf(`"version":%d`, layout.Version); err != nil || !strings.Contains(string(v.Value), want) {
			t.Errorf("layout record %s, %v; want version %d", v.Value, err, layout.Version)
		}
		due, err := tx.Scan(layout.DuePrefix, "", 0)
		for _, e := range due {
			if _, perr := layout.ParseDue(e.Key); perr != nil {
				t.Errorf("index entry %q left unreadable", e.Key)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
