"""Rules for JavaScript and TypeScript (also JSX/TSX): the language specs of
`typescript` and `tsx` name `javascript` as their rule family."""
