package kms

import "slices"

// Predefined aliases. ListAliases lists "aliases that have no TargetKeyId
// field. These are predefined aliases that AWS has created but has not yet
// associated with a KMS key" (API Reference ListAliases). Terraform's
// aws_kms_alias data source depends on it: it pages through ListAliases for
// exactly one entry of the name, then calls DescribeKey on the name for the
// key (terraform-provider-aws internal/service/kms/alias_data_source.go,
// findAliasByName in alias.go), so data "aws_kms_alias" with name
// "alias/aws/s3" works in a fresh account.
//
// AWS publishes no list of predefined aliases. The list below is the
// fresh-account list of moto (moto/kms/utils.py, 2021) and LocalStack
// (services/kms/models.py, taken from moto). Recorded list-aliases
// responses agree: each lists some of these names without a TargetKeyId,
// and no other: dynamodb, ebs, kinesisvideo, redshift and ssm
// (hashicorp/terraform-provider-aws#2009, 2018); dynamodb, es, glue,
// kinesisvideo, rds, redshift, ssm and xray (eu-central-1, 2019, in
// binxio/cfn-kms-provider tests/test_kms_grant.py, where backup,
// codecommit, fsx and lightsail appear only with a key); redshift (KMS
// Developer Guide "Viewing aliases", older edition). So other services'
// aliases (alias/aws/ecr, sqs, sns, backup, ...) are listed only once their
// key exists, which their first use creates (managedServices). Every name
// here must be in managedServices.
var predefinedServices = []string{
	"acm", "dynamodb", "ebs", "elasticfilesystem", "es", "glue", "kinesisvideo",
	"lambda", "rds", "redshift", "s3", "secretsmanager", "ssm", "xray",
}

// predefinedAliasNames are the predefined alias names in name order, the
// order of ListAliases.
var predefinedAliasNames = func() []string {
	names := make([]string, len(predefinedServices))
	for i, svc := range predefinedServices {
		names[i] = awsAliasPrefix + svc
	}
	slices.Sort(names)
	return names
}()

// pageName is one name on a ListAliases page: a stored alias, or a
// predefined one without a stored alias.
type pageName struct {
	name   string
	stored bool
}

// mergeAliasNames returns the names of one ListAliases page of at most
// limit names after the name after: stored names merged in name order with
// the predefined ones, a name in both (an AWS managed key that exists)
// listed once, as stored. stored must hold, in order, the first limit+1
// stored names after after, or all of them if there are fewer: the page
// holds at most limit of them, and one more tells whether more follow.
// predefined is sorted. more reports whether a name follows the page.
func mergeAliasNames(stored, predefined []string, after string, limit int) (page []pageName, more bool) {
	p, found := slices.BinarySearch(predefined, after)
	if found {
		p++
	}
	s := 0
	for {
		var next pageName
		switch {
		case s < len(stored) && p < len(predefined) && stored[s] == predefined[p]:
			next = pageName{stored[s], true}
			s, p = s+1, p+1
		case s < len(stored) && (p == len(predefined) || stored[s] < predefined[p]):
			next = pageName{stored[s], true}
			s++
		case p < len(predefined):
			next = pageName{predefined[p], false}
			p++
		default:
			return page, false
		}
		if len(page) == limit {
			return page, true
		}
		page = append(page, next)
	}
}
