"""Billers' settings as billing.billers checks them, whichever surface sends them."""

from __future__ import annotations

import pytest

from billing.billers import update_biller_profile
from errors import InvalidInput


@pytest.mark.parametrize("payment_apps", [None, "gpay", {"gpay": True}, ["gpay", 7]])
def test_payment_apps_that_are_not_a_list_of_ids_are_refused_naming_the_field(session, api, payment_apps):
    biller = api.biller
    with pytest.raises(InvalidInput) as refused:
        update_biller_profile(
            session=session,
            biller=biller,
            name=biller.name,
            upi_vpa=biller.upi_vpa,
            payee_name=biller.payee_name,
            merchant_category_code=biller.merchant_category_code,
            default_amount_exactness=biller.default_amount_exactness,
            payment_apps=payment_apps,
            contact_hours_start=biller.contact_hours_start,
            contact_hours_end=biller.contact_hours_end,
            skip_sundays=False,
            skip_public_holidays=False,
            timezone=biller.timezone,
        )
    assert (refused.value.field, refused.value.status) == ("payment_apps", 422)
