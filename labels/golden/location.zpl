^XA
^CI28
^PW812
^LL406
^LH0,0
^FX Location label: the whole code, its barcode, and every check digit a picker types when the barcode is damaged
^FO30,30^A0N,90,90^FH^FDA-01-02^FS
^FX Code 128 in automatic mode (subset C for digit runs, no invocation codes); 2-dot modules fit 32 characters with quiet zones
^BY2,3,140
^FO22,130^BCN,140,N,N,N,A^FH^FDA-01-02^FS
^FO30,300^A0N,30,30^FH^FDBG1 Beograd^FS
^FO390,310^A0N,30,30^FDCHECK^FS
^FO500,290^A0N,60,60^FH^FD47^FS
^XZ
