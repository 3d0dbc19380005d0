"""Operator commands, run as `flask --app app <group> <command>`."""

from flask import Flask


def register(app: Flask) -> None:
    """Attach every command group to the app's CLI."""
    from commands.billers import biller_cli, user_cli
    from commands.bills import bills_cli
    from commands.bot import bot_cli
    from commands.demo import demo_command
    from commands.processes import dunning_cli, scheduler_command, worker_command
    from commands.secrets import secrets_cli
    from commands.telegram import telegram_cli

    for command in (
        biller_cli,
        user_cli,
        bills_cli,
        demo_command,
        scheduler_command,
        worker_command,
        dunning_cli,
        telegram_cli,
        bot_cli,
        secrets_cli,
    ):
        app.cli.add_command(command)
