package etcd

// The driver's keys in etcd, all under Options.Prefix:
//
//	<prefix>d/<key>   the store's items, one etcd key per store key
//	<prefix>m/<id>    commit markers (see outcome.go)
//
// Items and markers live in separate subtrees so that no store key, whatever
// its bytes, can name a marker, and a Scan of the whole store ("" prefix)
// never meets one.
type keyspace struct {
	data    string // <prefix>d/
	dataEnd string // the first etcd key after every data key
	markers string // <prefix>m/
}

func newKeyspace(prefix string) keyspace {
	return keyspace{data: prefix + "d/", dataEnd: prefix + "d0", markers: prefix + "m/"}
}

// item returns the etcd key of the store key k.
func (ks keyspace) item(k string) string { return ks.data + k }

// storeKey returns the store key of an etcd key under ks.data.
func (ks keyspace) storeKey(etcdKey []byte) string { return string(etcdKey[len(ks.data):]) }

// scanRange returns the etcd range [start, end) holding the store keys that
// start with prefix and sort strictly after after. The range is empty
// (start >= end) when after sorts past every key with the prefix.
func (ks keyspace) scanRange(prefix, after string) (start, end string) {
	from := prefix
	// Keys with the prefix form one contiguous range from prefix on, so an
	// after below prefix changes nothing; the first key after after is
	// after followed by a NUL byte.
	if after != "" && after >= prefix {
		from = after + "\x00"
	}
	end = ks.dataEnd
	if e, ok := prefixEnd(prefix); ok {
		end = ks.item(e)
	}
	return ks.item(from), end
}

// prefixEnd returns the first key after every key that starts with p, or
// false when there is none (p is empty or all 0xff bytes).
func prefixEnd(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
