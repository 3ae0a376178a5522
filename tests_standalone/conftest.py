"""Standalone tests: no Odoo. The addon's pure packages are imported top-level."""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tools")]

from localstripe_process import TEST_KEY, LocalStripe


@pytest.fixture(scope="session")
def localstripe_server():
    server = LocalStripe().start()
    yield server
    server.stop()


@pytest.fixture
def localstripe(localstripe_server):
    """A running localstripe, emptied before each test."""
    localstripe_server.flush()
    return localstripe_server


@pytest.fixture
def gateway(localstripe):
    from stripe_gateway import StripeGateway

    return StripeGateway(TEST_KEY, api_base=localstripe.url)
