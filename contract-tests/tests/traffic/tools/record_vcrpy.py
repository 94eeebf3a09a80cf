# Records a few calls to the local Vivamo sandbox with vcrpy (its default YAML serializer).
import sys, requests, vcr
base = sys.argv[1]
auth = {"Authorization": "Bearer sk_test_vivamo_sandbox"}
with vcr.use_cassette(sys.argv[2], filter_headers=[("authorization", "[redacted]")], record_mode="all"):
    requests.post(f"{base}/v1/customers", headers=auth, json={"externalCustomerId": "vcrpy_1", "data": {"email": "ada@vivamo.test", "firstName": "Ada"}})
    requests.get(f"{base}/v1/customers/vcrpy_1", headers=auth)
    requests.get(f"{base}/v1/customers?page=1&size=10", headers=auth)
    r = requests.post(f"{base}/v1/disbursement-intents", headers=auth, json={"customer": {"externalCustomerId": "vcrpy_1"}, "disbursementIntent": {"externalDisbursementIntentId": "p1", "amount": "25.50", "currency": "USD"}})
    intent = r.json()["disbursementIntentId"]
    requests.post(f"{base}/_sandbox/disbursement-intents/{intent}/submit", json={"type": "bank"})
    requests.post(f"{base}/v1/disbursements/{intent}/proceed/false", headers=auth)
    requests.get(f"{base}/v1/disbursement-intents/{intent}/status", headers=auth)
    requests.get(f"{base}/v1/customers/vcrpy_1/prizes?taxYear=1999", headers=auth)
