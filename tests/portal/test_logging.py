"""Production logs are JSON lines carrying the fields support filters on, and never a secret."""

import io
import json
import logging

from portal.logging import JsonFormatter, RedactSecretsFilter


def log_line(message: str, *args, **extra) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("tests.json-logging")
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    logger.info(message, *args, extra=extra)
    return json.loads(stream.getvalue())


def test_json_line_carries_the_context_fields():
    line = log_line(
        "ERP request failed: %s",
        "vendor exists",
        company_id=4271122,
        erp_request_id=54321,
        request_name="create_vendor",
        attempt=2,
    )
    assert line["message"] == "ERP request failed: vendor exists"
    assert line["level"] == "INFO" and line["logger"] == "tests.json-logging"
    assert (line["company_id"], line["erp_request_id"]) == (4271122, 54321)
    assert (line["request_name"], line["attempt"]) == ("create_vendor", 2)
    assert "time" in line


def test_bearer_tokens_and_secrets_are_masked():
    line = log_line(
        "calling with Authorization: Bearer %s and client_secret=%s", "abc.def.ghi", "s3cr3t-v4lue"
    )
    assert "abc.def.ghi" not in line["message"] and "s3cr3t-v4lue" not in line["message"]
    assert line["message"].count("[redacted]") == 2
