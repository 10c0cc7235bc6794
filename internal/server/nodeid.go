package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// NodeIDFileName is the file in the data directory that keeps the node's
// ID from one start to the next.
const NodeIDFileName = "node-id"

// maxNodeIDLen keeps node IDs short: one is part of the key of every audit
// record the node stages.
const maxNodeIDLen = 64

// The node ID names the node's audit outbox in the store
// (layout.NodeOutboxPrefix). It must differ between the nodes that share a
// store, or they would ship each other's records, and it must stay the
// same across restarts, or the records a crash left would wait for a node
// that never comes back. So it is kept in the data directory, which is the
// node's own (it holds the node's audit log): random on the first start,
// read back afterwards. Config.NodeID overrides it, for deployments whose
// data directories are made fresh and whose node names are stable.

// ValidNodeID says what is wrong with id as a node ID, or nil: 1 to 64
// letters, digits, '.', '_' or '-', starting with a letter or digit.
func ValidNodeID(id string) error {
	if id == "" || len(id) > maxNodeIDLen {
		return fmt.Errorf("a node ID has 1 to %d characters; %q has %d", maxNodeIDLen, id, len(id))
	}
	for i, c := range id {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("._-", c)) {
			return fmt.Errorf("node ID %q is not made of letters, digits, '.', '_' and '-' starting with a letter or digit", id)
		}
	}
	return nil
}

// nodeID returns cfg.NodeID, or the ID kept in the data directory, made on
// the first start.
func nodeID(cfg Config, created *createdPaths) (string, error) {
	if cfg.NodeID != "" {
		return cfg.NodeID, ValidNodeID(cfg.NodeID)
	}
	path := filepath.Join(cfg.DataDir, NodeIDFileName)
	data, err := os.ReadFile(path)
	id := strings.TrimSpace(string(data))
	switch {
	case err == nil && id == "":
		// A crash between creating the file and syncing its ID: nothing
		// was staged under an ID that never reached the disk.
	case err == nil:
		if err := ValidNodeID(id); err != nil {
			return "", fmt.Errorf("the node ID file %s: %w; write a valid ID into it, or remove it to get a new one if this node's audit outbox is empty", path, err)
		}
		return id, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("read the node ID: %w", err)
	}
	random := make([]byte, 8)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	id = hex.EncodeToString(random)
	created.noteIfNew(path)
	if err := writeFileSynced(path, []byte(id+"\n")); err != nil {
		return "", fmt.Errorf("write the node ID file: %w", err)
	}
	return id, nil
}

// writeFileSynced creates path with data, fsynced: the ID must survive a
// power cut once records were staged under it.
func writeFileSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}
