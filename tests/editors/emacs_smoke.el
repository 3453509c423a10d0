;;; emacs_smoke.el --- Emacs + eglot as draftguard's LSP client, in batch mode.
;; The README's eglot configuration starts the server; the script waits for the
;; squiggle (a flymake diagnostic), asks for the hover, applies the preferred
;; quick fix and waits for the diagnostic to go.  Results go to $DRAFTGUARD_OUT.

(require 'eglot)
(require 'flymake)

(defvar smoke-out (getenv "DRAFTGUARD_OUT"))
(defvar smoke-lines nil)

(defun smoke-say (fmt &rest args)
  (push (apply #'format fmt args) smoke-lines)
  (with-temp-file smoke-out
    (insert (mapconcat #'identity (reverse smoke-lines) "\n") "\n")))

(defun smoke-wait (predicate seconds)
  "Run the event loop until PREDICATE holds or SECONDS pass; its last value."
  (let ((deadline (+ (float-time) seconds)) (value nil))
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    value))

(defun smoke-draftguard-diagnostics ()
  (cl-remove-if-not
   (lambda (d) (string-match-p "PY-SQLI-001" (flymake-diagnostic-text d)))
   (flymake-diagnostics (point-min) (point-max))))

;; The README's configuration, with the executable of the environment under test.
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               `((python-mode python-ts-mode) . (,(getenv "DRAFTGUARD_EXE") "serve"
                                                  :initializationOptions (:scope "all")))))

(condition-case err
    (progn
      (find-file (getenv "DRAFTGUARD_FILE"))
      (python-mode)
      (let ((eglot-sync-connect t))
        (apply #'eglot (eglot--guess-contact)))
      (flymake-mode 1)
      (let ((found (smoke-wait #'smoke-draftguard-diagnostics 60)))
        (smoke-say "diagnostics %s %d" (if found "true" "false") (length found))
        (dolist (d found)
          (save-excursion
            (goto-char (flymake-diagnostic-beg d))
            (smoke-say "diag %d:%d %s" (line-number-at-pos) (1+ (current-column)) (flymake-diagnostic-text d))))
        (when found
          (goto-char (flymake-diagnostic-beg (car found)))
          (let* ((hover (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover
                                         (eglot--TextDocumentPositionParams)))
                 (contents (plist-get hover :contents))
                 (text (if (stringp contents) contents (or (plist-get contents :value) ""))))
            (smoke-say "hover %s" (replace-regexp-in-string "\n" " " text)))
          (let* ((beg (flymake-diagnostic-beg (car found)))
                 (end (flymake-diagnostic-end (car found)))
                 (actions (eglot-code-actions beg end nil nil))
                 (preferred (cl-find-if (lambda (a) (plist-get a :isPreferred)) actions)))
            (dolist (a actions)
              (smoke-say "action %s%s" (plist-get a :title) (if (plist-get a :isPreferred) " preferred" "")))
            (when preferred
              (eglot--apply-workspace-edit (plist-get preferred :edit))
              ;; eglot sends changes from an idle timer, and a batch Emacs is never idle
              (eglot--signal-textDocument/didChange)
              (let ((gone (smoke-wait (lambda () (null (smoke-draftguard-diagnostics))) 30)))
                (smoke-say "fixed %s" (if gone "true" "false"))
                (smoke-say "text %s" (replace-regexp-in-string "\n" "\\\\n" (buffer-string)))))))))
  (error (smoke-say "error %S" err)))
(ignore-errors (eglot-shutdown (eglot-current-server)))
(kill-emacs 0)
