"""What people and programs use: the command line, the web app, the LangChain retriever."""
