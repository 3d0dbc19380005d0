"""`bot classify`: see what the bot understands, one message per line in, one JSON object per line out."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime

import click
from flask.cli import AppGroup

from billing.billers import biller_today
from bot.understanding import understand
from models.db import utcnow

bot_cli = AppGroup("bot", help="The chat bot.")


@bot_cli.command("classify")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Customer's today (default: IST today).")
def classify_command(today: datetime | None) -> None:
    """Read messages from standard input and print {"text", "intent", "confidence", "slots"} for each line."""
    day: date = today.date() if today else biller_today(None, utcnow())
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        click.echo(json.dumps(understand(text, today=day).as_json(), ensure_ascii=False))
