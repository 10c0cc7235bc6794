package identity

// DevFallback is the resolver of --dev with an identities file: access keys
// in the file resolve to their principals, so that policies can be tried
// locally, and any other access key resolves as Dev resolves it.
type DevFallback struct {
	File *File
	Dev  Dev
}

// Lookup implements Resolver.
func (d DevFallback) Lookup(accessKeyID string) (Credential, bool) {
	if c, ok := d.File.Lookup(accessKeyID); ok {
		return c, true
	}
	return d.Dev.Lookup(accessKeyID)
}

// AccountExists implements Directory.
func (d DevFallback) AccountExists(id string) bool {
	return d.File.AccountExists(id) || d.Dev.AccountExists(id)
}

// PrincipalExists implements Directory.
func (d DevFallback) PrincipalExists(arn string) bool {
	return d.File.PrincipalExists(arn) || d.Dev.PrincipalExists(arn)
}
