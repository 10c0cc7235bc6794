package kms

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// AWS managed keys are created by AWS on a service's behalf the first time
// the service's predefined alias (alias/aws/<service>) is used, have
// KeyManager AWS, rotate every year and cannot be changed by the account
// (docs "AWS managed keys"). Trent creates one when alias/aws/<service> of a
// service below is first given to DescribeKey or a cryptographic operation.

const awsAliasPrefix = "alias/aws/"

// managedService is a service with a predefined AWS managed key.
type managedService struct {
	// what completes the description "Default key that protects my ..."
	what string
	// via is the service's endpoint name, used in the kms:ViaService
	// condition of the key policy.
	via string
}

// managedServices are the services whose alias/aws/<service> creates an AWS
// managed key on first use. It holds every predefined alias that ListAliases
// lists before first use (predefinedServices, with the sources of that list)
// and services whose alias AWS creates only when the service first uses it.
// ecr: the ECR default AWS managed key (ECR User Guide "Encryption at rest"),
// description as recorded ("Default key that protects my ECR data when no
// other key is defined"). kinesisvideo: predefined; description as recorded
// ("... protects my kinesis video data ...").
var managedServices = map[string]managedService{
	"acm":               {"ACM private keys", "acm"},
	"backup":            {"backups", "backup"},
	"codecommit":        {"CodeCommit repositories", "codecommit"},
	"dynamodb":          {"DynamoDB tables", "dynamodb"},
	"ebs":               {"EBS volumes", "ec2"},
	"ecr":               {"ECR data", "ecr"},
	"elasticfilesystem": {"EFS filesystems", "elasticfilesystem"},
	"es":                {"Elasticsearch data", "es"},
	"fsx":               {"FSx filesystems", "fsx"},
	"glue":              {"Glue data", "glue"},
	"kinesis":           {"Kinesis data", "kinesis"},
	"kinesisvideo":      {"kinesis video data", "kinesisvideo"},
	"lambda":            {"Lambda functions", "lambda"},
	"rds":               {"RDS database volumes", "rds"},
	"redshift":          {"Redshift data", "redshift"},
	"s3":                {"S3 objects", "s3"},
	"secretsmanager":    {"Secrets Manager secrets", "secretsmanager"},
	"sns":               {"SNS data", "sns"},
	"sqs":               {"SQS messages", "sqs"},
	"ssm":               {"SSM parameters", "ssm"},
	"xray":              {"X-Ray data", "xray"},
}

// isManagedAliasName reports whether name is a predefined AWS managed alias.
func isManagedAliasName(name string) bool {
	svc, ok := strings.CutPrefix(name, awsAliasPrefix)
	if !ok {
		return false
	}
	_, known := managedServices[svc]
	return known
}

// managedKey is an AWS managed key prepared for creation: its material is
// generated and sealed outside any transaction (which may be retried).
type managedKey struct {
	alias     string
	key       *keys.Key
	material  keys.Material
	policyDoc string
}

// prepareManagedKey builds the AWS managed key of alias aliasName.
func (s *Service) prepareManagedKey(ctx context.Context, info *request.Info, aliasName string) (*managedKey, error) {
	svcName := strings.TrimPrefix(aliasName, awsAliasPrefix)
	svc := managedServices[svcName]
	now := s.clock.Now()
	id, err := keys.NewKeyID(s.rand)
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	k := &keys.Key{
		ID: id, Account: info.Caller.Account, Region: info.Region, CreatedAt: now,
		Description: "Default key that protects my " + svc.what + " when no other key is defined",
		Spec:        keys.SpecSymmetricDefault, Usage: keys.UsageEncryptDecrypt, Origin: keys.OriginAWSKMS,
		Manager: keys.ManagerAWS, State: keys.StateEnabled,
		// AWS rotates AWS managed keys every year (since May 2022).
		Rotation: keys.Rotation{Enabled: true, PeriodDays: keys.DefaultRotationPeriodDays, Since: now,
			Next: now.Add(keys.DefaultRotationPeriodDays * keys.Day)},
	}
	m, err := s.newMaterial(ctx, k, 1, "", now)
	if err != nil {
		return nil, err
	}
	k.CurrentMaterial, k.CurrentMaterialID, k.MaterialCount = 1, m.ID, 1
	return &managedKey{alias: aliasName, key: k, material: m, policyDoc: managedKeyPolicy(k, svcName, svc)}, nil
}

// insert writes the key and its alias, unless a concurrent request created
// the alias first.
func (mk *managedKey) insert(tx store.Tx) error {
	k := mk.key
	if _, err := tx.Get(layout.Alias(k.Account, k.Region, mk.alias)); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := insertKey(tx, k, []keys.Material{mk.material}, mk.policyDoc, nil); err != nil {
		return err
	}
	return putAlias(tx, k.Account, k.Region, aliasRecord{Name: mk.alias, TargetKeyID: k.ID, CreatedAt: k.CreatedAt, UpdatedAt: k.CreatedAt})
}

// maxManagedKeysPerRequest bounds the AWS managed keys one request can
// create: ReEncrypt names two keys, every other operation one.
const maxManagedKeysPerRequest = 2

// viewResolving runs fn, which only reads, in a read transaction. If fn
// names an AWS managed key that does not exist yet, fn runs again in a write
// transaction that first creates the key: the key is committed together
// with the request's success and its audit record (see update), and a
// request that fails (DryRun included) creates nothing. fn sets what the
// record needs (keys used, key material IDs) itself, since the record is
// built when the transaction commits.
func (s *Service) viewResolving(ctx context.Context, info *request.Info, fn func(tx store.Tx) error) error {
	d := audit.DetailsFrom(ctx)
	mark := d.Mark()
	err := s.store.View(ctx, fn)
	var prepared []*managedKey
	for range maxManagedKeysPerRequest {
		var missing *errManagedKeyMissing
		if !errors.As(err, &missing) {
			break
		}
		mk, perr := s.prepareManagedKey(ctx, info, missing.alias)
		if perr != nil {
			return perr
		}
		prepared = append(prepared, mk)
		d.Rewind(mark)
		err = s.update(ctx, func(tx store.Tx) (any, error) {
			for _, mk := range prepared {
				if err := mk.insert(tx); err != nil {
					return nil, err
				}
			}
			// A read-only operation's record shows no response, so the
			// output does not matter here.
			return nil, fn(tx)
		})
	}
	return storeErr(err)
}

// managedKeyPolicy is the key policy of an AWS managed key, in the form AWS
// gives them (e.g. "auto-ebs-2"): the service may use the key on behalf of
// the account, and the account may read the key's metadata.
func managedKeyPolicy(k *keys.Key, svcName string, svc managedService) string {
	partition := keys.Partition(k.Region)
	return fmt.Sprintf(`{
  "Version" : "2012-10-17",
  "Id" : "auto-%[1]s-2",
  "Statement" : [ {
    "Sid" : "Allow access through %[2]s for all principals in the account that are authorized to use %[2]s",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "*"
    },
    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey" ],
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:CallerAccount" : "%[3]s",
        "kms:ViaService" : "%[4]s.%[5]s.amazonaws.com"
      }
    }
  }, {
    "Sid" : "Allow direct access to key metadata to the account",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:%[6]s:iam::%[3]s:root"
    },
    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant" ],
    "Resource" : "*"
  } ]
}`, svcName, strings.ToUpper(svcName), k.Account, svc.via, k.Region, partition)
}
