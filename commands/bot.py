"""`bot classify`: see what the bot understands, one message per line in, one JSON object per line out."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup

from bot.understanding import understand

bot_cli = AppGroup("bot", help="The chat bot.")
INDIA = ZoneInfo("Asia/Kolkata")


@bot_cli.command("classify")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Customer's today (default: IST today).")
def classify_command(today: datetime | None) -> None:
    """Read messages from standard input and print {"text", "intent", "confidence", "slots"} for each line."""
    day: date = today.date() if today else datetime.now(INDIA).date()
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        click.echo(json.dumps(understand(text, today=day).as_json(), ensure_ascii=False))
