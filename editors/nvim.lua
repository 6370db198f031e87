-- cexpert rules in Neovim (0.10+): put this in your init.lua.
-- .cex files get the 'cex' filetype; `cexpert lsp` is started for them, rooted at the
-- folder of the knowledge base.
vim.filetype.add({ extension = { cex = "cex" } })
vim.api.nvim_create_autocmd("FileType", {
  pattern = "cex",
  callback = function(args)
    vim.bo[args.buf].commentstring = "# %s"
    vim.lsp.start({
      name = "cexpert",
      cmd = { "uv", "run", "cexpert", "lsp" },
      root_dir = vim.fs.dirname(vim.api.nvim_buf_get_name(args.buf)),
    })
  end,
})
-- Format on save through the server (cexpert fmt):
vim.api.nvim_create_autocmd("BufWritePre", {
  pattern = "*.cex",
  callback = function() vim.lsp.buf.format({ name = "cexpert" }) end,
})
