from chatbot.channels.terminal.cli import main

main()
